"""Where the fused C++ rasterizer is built, under which name, and how (shared by build and load).

The compiled module's name carries a hash of its source, the compiler flags, the torch and Python
versions and this CPU's instruction-set flags, so a build from other sources, another torch or
another machine is never loaded by mistake: it simply is not the file the loader looks for.

Build directory: ``$DHSTUDIO_NATIVE_DIR`` when set, else ``$XDG_CACHE_HOME/dhstudio/native``
(``~/.cache/dhstudio/native``).
"""

from __future__ import annotations

import hashlib
import platform
import sys
from pathlib import Path

from core.native_cache import cpu_flags

CSRC = Path(__file__).resolve().parent / "csrc"
SOURCE = CSRC / "rasterize.cpp"
HEADERS = (CSRC / "tile_kernels.h", CSRC / "preprocess.h")
BUILD_COMMAND = "python -m core.gaussians.render.build_native"


def cflags() -> list[str]:
    """Optimised for this CPU (built at install time on the machine that runs it)."""
    flags = ["-O3", "-fopenmp-simd", "-fno-math-errno"]
    if sys.platform != "win32" and platform.machine() in ("x86_64", "AMD64", "aarch64", "arm64"):
        flags.append("-march=native")
    return flags


def module_name() -> str:
    """``dhs_rasterize_<hash>``: the only module file the loader accepts."""
    import torch

    h = hashlib.sha256()
    for path in (SOURCE, *HEADERS):
        h.update(path.read_bytes())
    for part in (" ".join(cflags()), torch.__version__, sys.version, platform.machine(), cpu_flags()):
        h.update(part.encode())
    return f"dhs_rasterize_{h.hexdigest()[:16]}"
