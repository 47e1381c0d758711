"""Compile the fused C++ rasterizer: ``python -m core.gaussians.render.build_native [--force]
[--level LEVEL|all --out DIR]``.

Run at install time (``installers/setup.sh``) and by the test suite when the module is missing;
never during training: the renderer selection only loads what is already built and otherwise
falls back to the PyTorch rasterizer, saying why. ``--level`` builds for a portable
instruction-set level (``x86-64-v3``, ``x86-64-v2``, ``armv8-a``, ``apple-m1``; ``all``: every
level of this architecture this CPU runs) instead of this CPU, into ``--out`` (the bundle build
scripts use it; see :mod:`core.native_cache`). torch's build imports the module it built, so a
level this CPU lacks cannot be built here: it is refused. Exit status 0 when every module asked
for builds (or is already built) and loads, 1 otherwise.
"""

from __future__ import annotations

import sys
from pathlib import Path

from core.gaussians.render.native_build import EXTENSION
from core.native_cache import Level


def build(
    force: bool = False, verbose: bool = False, level: Level | None = None, out: Path | None = None
) -> str:
    """Build (or reuse) the module for this CPU, or for a portable `level`, in `out` (default the
    build directory); returns its path. Raises when compiling or loading fails."""
    return EXTENSION.build(force, verbose, level, out)


def main(argv: list[str] | None = None) -> int:
    return EXTENSION.main(argv, __doc__, "fused CPU rasterizer", "the PyTorch rasterizer is used instead")


if __name__ == "__main__":
    sys.exit(main())
