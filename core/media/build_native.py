"""Compile the fused tone-map kernel: ``python -m core.media.build_native [--force]
[--level LEVEL|all --out DIR]``.

Run at install time (``installers/setup.sh``) and by the tests when it is missing; never while
decoding: :mod:`core.media.native` only loads what is built, and HDR frames otherwise take the
NumPy route. ``--level`` builds for a portable instruction-set level (``x86-64-v3``, ``x86-64-v2``,
``armv8-a``, ``apple-m1``; ``all``: every level of this architecture) instead of this CPU, into
``--out`` (the bundle build scripts use it; see :mod:`core.native_cache`). Exit status 0 when
every kernel asked for builds (or is already built) and, where this CPU runs it, loads; 1 otherwise.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from core import native_cache
from core.media import native
from core.native_cache import Level


def build(
    force: bool = False, verbose: bool = False, level: Level | None = None, out: Path | None = None
) -> Path:
    """Build (or reuse) the kernel for this CPU, or for a portable `level`, in `out` (default the
    build directory); returns its path. Raises when compiling fails, or when loading fails on a
    CPU that runs the build (a level this CPU lacks is compiled, not loaded)."""
    out = native_cache.build_dir() if out is None else out
    target = out / native.module_file(level)
    runs_here = level is None or not level.missing(native_cache.cpu_features())
    if target.is_file() and not force and (not runs_here or native.load(out, level).ok):
        return target
    out.mkdir(parents=True, exist_ok=True)
    from setuptools._distutils.ccompiler import new_compiler
    from setuptools._distutils.sysconfig import customize_compiler

    cc = new_compiler(verbose=verbose)
    customize_compiler(cc)
    flags = native.cflags(cc.compiler_type, level)
    with tempfile.TemporaryDirectory(dir=out) as tmp:
        errors = []
        # GCC's gather tuning first; then without it (other compilers), then without -march=native
        # (compilers that refuse it, e.g. some Apple clang releases on arm64); a level's flags stay
        portable = [f for f in flags if f != "-march=native"]
        tries = [[*flags, *native.GATHER_FLAGS], flags]
        if level is None:
            tries.append(portable)
        for attempt in tries if cc.compiler_type == "unix" else [flags]:
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
    if runs_here:
        loaded = native.load(out, level)
        if not loaded.ok:
            raise RuntimeError(loaded.detail)
    return target


def main(argv: list[str] | None = None) -> int:
    args = native_cache.build_parser(__doc__.splitlines()[0], "kernel").parse_args(argv)
    wanted: list[Level | None] = [None]
    if args.level:
        wanted = list(native_cache.levels()) if args.level == "all" else [native_cache.level(args.level)]
    status = 0
    return status | native_cache.build_levels(
        wanted,
        lambda level: build(args.force, args.verbose, level, args.out),
        "fused tone-map kernel",
        "HDR frames take the NumPy tone map",
    )


if __name__ == "__main__":
    sys.exit(main())
