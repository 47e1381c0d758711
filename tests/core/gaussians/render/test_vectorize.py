"""The tile kernels' per-pixel compositing loops vectorize at every x86 bundle level (AVX2 and SSE4,
not only AVX-512): GCC's vectorizer report for the header compiled with the build's own flags.

Without AVX-512 masks GCC left these loops scalar ("control flow in loop") until the build added
-fno-trapping-math, and the fused forward ran ~4x slower than with vectors on AVX2 CPUs (Zen).
"""

from __future__ import annotations

import platform
import shutil
import subprocess

import pytest

from core import native_cache
from core.gaussians.render import native_build

HEADER = native_build.CSRC / "tile_kernels.h"
GXX = shutil.which("g++")

# Instantiates the kernels as rasterize.cpp does for float32 colour + depth at 16 px tiles.
UNIT = """#include "tile_kernels.h"
using namespace dhs;
template void forward_tile<float, 16, 4>(int64_t, const float*, const float*, const float*, const float*,
    const float*, int64_t, const int32_t*, const int32_t*, const Options&, float*, float*, float*, int32_t*);
template void backward_tile<float, 16, 4>(int64_t, const float*, const float*, const float*, const float*,
    const float*, int64_t, const int32_t*, const int32_t*, const Options&, const float*, const float*,
    const float*, const int32_t*, float*);
"""


def _is_gcc() -> bool:
    if GXX is None:
        return False
    out = subprocess.run([GXX, "--version"], capture_output=True, text=True).stdout
    return "Free Software Foundation" in out


def _loop_lines(after: str, until: str) -> range:
    """1-based lines from the ``for`` that follows the first line containing `after` to the next line
    containing `until` (GCC names a loop by a statement inside it, not always the ``for`` line)."""
    lines = HEADER.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if after in line)
    first = next(i for i in range(start, len(lines)) if lines[i].lstrip().startswith("for "))
    last = next(i for i in range(first, len(lines)) if until in lines[i])
    return range(first + 1, last + 1)


@pytest.mark.skipif(platform.machine().lower() not in ("x86_64", "amd64"), reason="x86 bundle levels")
@pytest.mark.skipif(not _is_gcc(), reason="needs GCC (its -fopt-info-vec report)")
@pytest.mark.parametrize("level", [lv.name for lv in native_cache.levels()] or ["none"])
def test_pixel_loops_vectorize_at_each_bundle_level(level, tmp_path):
    unit = tmp_path / "unit.cpp"
    unit.write_text(UNIT)
    flags = native_build.cflags(native_cache.level(level))
    cmd = [GXX, "-std=c++17", *flags, f"-I{native_build.CSRC}", "-c", str(unit), "-o", str(tmp_path / "u.o")]
    proc = subprocess.run([*cmd, "-fopt-info-vec-optimized"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    vectorized = {
        int(line.split(":")[1])
        for line in proc.stderr.splitlines()
        if "tile_kernels.h:" in line and "loop vectorized" in line
    }
    # the chunk's compositing over a row of the tile's pixels; per pixel alpha, transmittance, splat gradients
    forward = _loop_lines("scalar_t* const accr", "store_features<kF>(accr")
    backward = _loop_lines("reduction(+ : m_x", "scalar_t* gr =")
    assert vectorized & set(forward), (
        f"forward pixel loop (lines {forward.start}-{forward.stop - 1}) not vectorized:\n{proc.stderr}"
    )
    assert vectorized & set(backward), (
        f"backward pixel loop (lines {backward.start}-{backward.stop - 1}) not vectorized:\n{proc.stderr}"
    )
