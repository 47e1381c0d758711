"""Compile the fused DINet mini kernel: ``python -m core.lipsync.build_native [--force]
[--level LEVEL|all --out DIR]``.

Run at install time (``installers/setup.sh``, bundles: ``installers/bundle_kernels.sh``) and by the
tests when it is missing; never while rendering: :mod:`core.lipsync.native_mini` only loads what is
built, and the crop backend otherwise stays ONNX Runtime. Exit status 0 when every module asked
for builds (or is already built) and loads, 1 otherwise.
"""

from __future__ import annotations

import sys

from core.lipsync.native_mini import EXTENSION


def main(argv: list[str] | None = None) -> int:
    return EXTENSION.main(
        argv, __doc__, "fused DINet mini kernel", "the lip-sync renderer runs on ONNX Runtime instead"
    )


if __name__ == "__main__":
    sys.exit(main())
