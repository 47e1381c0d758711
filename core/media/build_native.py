"""Compile the fused tone-map kernel: ``python -m core.media.build_native [--force]``.

Run at install time (``installers/setup.sh``) and by the tests when it is missing; never while
decoding: :mod:`core.media.native` only loads what is built, and HDR frames otherwise take the
NumPy route. Exit status 0 when the kernel builds (or is already built) and loads, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from core import native_cache
from core.media import native


def build(force: bool = False, verbose: bool = False) -> Path:
    """Build (or reuse) the kernel; returns its path. Raises when compiling or loading fails."""
    out = native_cache.build_dir()
    target = out / native.module_file()
    if target.is_file() and not force and native.load(out).ok:
        return target
    out.mkdir(parents=True, exist_ok=True)
    from setuptools._distutils.ccompiler import new_compiler
    from setuptools._distutils.sysconfig import customize_compiler

    cc = new_compiler(verbose=verbose)
    customize_compiler(cc)
    flags = native.cflags(cc.compiler_type)
    with tempfile.TemporaryDirectory(dir=out) as tmp:
        errors = []
        # GCC's gather tuning first; then without it (other compilers), then without -march=native
        # (compilers that refuse it, e.g. some Apple clang releases on arm64)
        portable = [f for f in flags if f != "-march=native"]
        tries = [[*flags, *native.GATHER_FLAGS], flags, portable] if cc.compiler_type == "unix" else [flags]
        for attempt in tries:
            try:
                objects = cc.compile([str(native.SOURCE)], output_dir=tmp, extra_preargs=attempt)
                break
            except Exception as exc:  # CompileError: try the next set of flags
                errors.append(f"{' '.join(attempt)}: {exc}")
        else:
            raise RuntimeError("compiling failed: " + "; ".join(errors))
        partial = Path(tmp) / target.name
        cc.link_shared_object(objects, str(partial))
        os.replace(partial, target)  # atomic: a half-written library is never where the loader looks
    native.status.cache_clear()
    loaded = native.load(out)
    if not loaded.ok:
        raise RuntimeError(loaded.detail)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="recompile even when the kernel exists")
    parser.add_argument("--verbose", action="store_true", help="show the compiler's commands")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    try:
        path = build(args.force, args.verbose)
    except Exception as exc:  # a compiler or toolchain failure: say it, the NumPy route remains
        print(f"build_native: FAILED ({type(exc).__name__}: {exc}); HDR frames take the NumPy tone map")
        return 1
    print(f"build_native: fused tone-map kernel ready: {path} ({time.perf_counter() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
