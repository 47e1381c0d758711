"""Where the fused C++ rasterizer is built, under which name, and how (shared by build and load).

The compiled module's name carries a hash of its source, the compiler flags, the torch and Python
versions and this CPU's instruction-set flags, so a build from other sources, another torch or
another machine is never loaded by mistake: it simply is not the file the loader looks for. A
portable build for an application bundle (:mod:`core.native_cache`) carries its instruction-set
level in place of the CPU's flags, and torch's C++ ABI beside its version.

Build directory: ``$DHSTUDIO_NATIVE_DIR`` when set, else ``$XDG_CACHE_HOME/dhstudio/native``
(``~/.cache/dhstudio/native``).
"""

from __future__ import annotations

import hashlib
import platform
import sys
from pathlib import Path

from core.native_cache import Level, cpu_flags

CSRC = Path(__file__).resolve().parent / "csrc"
SOURCE = CSRC / "rasterize.cpp"
HEADERS = (CSRC / "tile_kernels.h", CSRC / "preprocess.h")
BUILD_COMMAND = "python -m core.gaussians.render.build_native"


def cflags(level: Level | None = None) -> list[str]:
    """Optimised for this CPU (built at install time on the machine that runs it), or for a
    portable `level` (a bundle's build)."""
    # -fno-trapping-math (values unchanged: it only lets GCC assume FP exceptions are not observed):
    # without it GCC keeps the exp clamp and the compositing selects of the tile pixel loops as
    # branches, which it can if-convert only with AVX-512's masks; on AVX2/SSE CPUs (Zen, most
    # laptops, the x86-64-v3/v2 bundle levels) those loops then stay scalar (~9x slower forward).
    flags = ["-O3", "-fopenmp-simd", "-fno-math-errno", "-fno-trapping-math", *openmp_flags()]
    if level is not None:
        flags += level.flags("msvc" if sys.platform == "win32" else "unix")
    elif sys.platform != "win32" and platform.machine() in ("x86_64", "AMD64", "aarch64", "arm64"):
        flags.append("-march=native")
        flags += prefer_wide_vectors()
    return flags


def prefer_wide_vectors() -> list[str]:
    """``-mprefer-vector-width=256`` on x86 CPUs without AVX-512. GCC's tuning for AMD Zen 1
    (``-march=native`` there) vectorises with 128-bit registers even with AVX2; the backward pixel
    loop (a division and 14 running sums per pixel) ran 1.3-1.4x faster with 256-bit ones on such an
    EPYC (10k Gaussians at 256^2: 41 -> 31 ms, one thread). Elsewhere GCC already chooses 256 for AVX2,
    and AVX-512 CPUs keep their own tuning."""
    if platform.machine() not in ("x86_64", "AMD64"):
        return []
    return [] if "avx512f" in cpu_flags().split() else ["-mprefer-vector-width=256"]


def openmp_flags() -> list[str]:
    """Compile (and link) against OpenMP where PyTorch's CPU wheels use it (GNU libgomp on Linux,
    MSVC's runtime on Windows). Without it ATen's inline ``at::parallel_for`` compiles to a plain
    loop (its OpenMP branch is guarded by ``_OPENMP``) and every tile ran on one thread whatever
    torch.set_num_threads said. The module then joins the libgomp torch has already loaded (same
    soname), so it shares torch's thread pool and thread count rather than starting a second one.
    macOS's clang has no OpenMP of its own: there the kernel stays on one thread."""
    if sys.platform == "win32":
        return ["/openmp"]
    if sys.platform == "darwin":
        return []
    return ["-fopenmp"]


def openmp_link_flags() -> list[str]:
    """The linker's half of :func:`openmp_flags` (MSVC links its OpenMP runtime by itself)."""
    return ["-fopenmp"] if sys.platform not in ("win32", "darwin") else []


def module_name(level: Level | None = None) -> str:
    """``dhs_rasterize_<hash>`` (this CPU's build) or ``dhs_rasterize_<level>_<hash>`` (a portable
    one): the only module the loader accepts."""
    import torch

    h = hashlib.sha256()
    for path in (SOURCE, *HEADERS):
        h.update(path.read_bytes())
    parts = [" ".join(cflags(level)), torch.__version__, sys.version, platform.machine()]
    parts += [cpu_flags()] if level is None else [f"cxx11abi={torch._C._GLIBCXX_USE_CXX11_ABI}", level.name]
    for part in parts:
        h.update(part.encode())
    tag = "" if level is None else f"{level.tag}_"
    return f"dhs_rasterize_{tag}{h.hexdigest()[:16]}"


def module_file(name: str) -> str:
    """The compiled module's file name (torch's extension builds write ``.pyd`` on Windows)."""
    return f"{name}.pyd" if sys.platform == "win32" else f"{name}.so"
