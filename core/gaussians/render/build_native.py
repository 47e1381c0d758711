"""Compile the fused C++ rasterizer: ``python -m core.gaussians.render.build_native [--force]``.

Run at install time (``installers/setup.sh``) and by the test suite when the module is missing;
never during training: the renderer selection only loads what is already built and otherwise
falls back to the PyTorch rasterizer, saying why. Exit status 0 when the module builds (or is
already built) and loads, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys
import time

from core import native_cache
from core.gaussians.render import native_build


def build(force: bool = False, verbose: bool = False) -> str:
    """Build (or reuse) the module; returns its path. Raises when compiling or loading fails."""
    from core.gaussians.render import native

    name = native_build.module_name()
    out = native_cache.build_dir()
    target = out / f"{name}.so"
    if target.is_file() and not force and native.load_module(out)[0] is not None:
        return str(target)
    out.mkdir(parents=True, exist_ok=True)
    from torch.utils.cpp_extension import load

    load(
        name=name,
        sources=[str(native_build.SOURCE)],
        build_directory=str(out),
        extra_cflags=native_build.cflags(),
        extra_include_paths=[str(native_build.CSRC)],
        verbose=verbose,
    )
    module, reason = native.load_module(out, fresh=True)
    if module is None:
        raise RuntimeError(reason)
    return str(target)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="recompile even when the module exists")
    parser.add_argument("--verbose", action="store_true", help="show the compiler's commands")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    try:
        path = build(args.force, args.verbose)
    except Exception as exc:  # a compiler or toolchain failure: say it, the PyTorch rasterizer remains
        print(f"build_native: FAILED ({type(exc).__name__}: {exc}); the PyTorch rasterizer is used instead")
        return 1
    print(f"build_native: fused CPU rasterizer ready: {path} ({time.perf_counter() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
