"""Where the fused C++ rasterizer is built, under which name, and how (shared by build and load).

The compiled module's name carries a hash of its source, the compiler flags, the torch and Python
versions and this CPU's instruction-set flags, so a build from other sources, another torch or
another machine is never loaded by mistake: it simply is not the file the loader looks for. A
portable build for an application bundle (:mod:`core.native_cache`) carries its instruction-set
level in place of the CPU's flags, and torch's C++ ABI beside its version.

Build directory: ``$DHSTUDIO_NATIVE_DIR`` when set, else ``$XDG_CACHE_HOME/dhstudio/native``
(``~/.cache/dhstudio/native``). Naming, flags, building and loading are :mod:`core.native_ext`'s,
shared with the project's other torch extensions.
"""

from __future__ import annotations

from pathlib import Path

from core.native_cache import Level
from core.native_ext import (
    TorchExtension,
    cflags,
    module_file,
    openmp_flags,
    openmp_link_flags,
    prefer_wide_vectors,
)

CSRC = Path(__file__).resolve().parent / "csrc"
SOURCE = CSRC / "rasterize.cpp"
HEADERS = (CSRC / "tile_kernels.h", CSRC / "preprocess.h")
BUILD_COMMAND = "python -m core.gaussians.render.build_native"
EXTENSION = TorchExtension(
    prefix="dhs_rasterize",
    label="fused C++ rasterizer",
    source=SOURCE,
    headers=HEADERS,
    build_command=BUILD_COMMAND,
)
__all__ = ["cflags", "module_file", "openmp_flags", "openmp_link_flags", "prefer_wide_vectors"]


def module_name(level: Level | None = None) -> str:
    """``dhs_rasterize_<hash>`` (this CPU's build) or ``dhs_rasterize_<level>_<hash>`` (a portable
    one): the only module the loader accepts."""
    return EXTENSION.module_name(level)
