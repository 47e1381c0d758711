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

import argparse
import os
import sys
import tempfile
from pathlib import Path

from core import native_cache
from core.gaussians.render import native_build
from core.native_cache import Level


def build(
    force: bool = False, verbose: bool = False, level: Level | None = None, out: Path | None = None
) -> str:
    """Build (or reuse) the module for this CPU, or for a portable `level`, in `out` (default the
    build directory); returns its path. Raises when compiling or loading fails."""
    from core.gaussians.render import native

    if level is not None and level.missing(native_cache.cpu_features()):
        lacking = ", ".join(level.missing(native_cache.cpu_features()))
        raise RuntimeError(
            f"this CPU lacks {lacking}, so it cannot load (and torch cannot build) {level.name}"
        )
    name = native_build.module_name(level)
    out = native_cache.build_dir() if out is None else out
    target = out / native_build.module_file(name)
    if target.is_file() and not force and native.load_module(out, level=level)[0] is not None:
        return str(target)
    out.mkdir(parents=True, exist_ok=True)
    from torch.utils.cpp_extension import load

    options = dict(
        name=name,
        sources=[str(native_build.SOURCE)],
        extra_cflags=native_build.cflags(level),
        extra_ldflags=native_build.openmp_link_flags(),
        extra_include_paths=[str(native_build.CSRC)],
        verbose=verbose,
    )
    if level is None:  # the build directory keeps torch's objects: a rebuild after a change is quicker
        load(build_directory=str(out), **options)
    else:  # only the module goes to `out` (a bundle's folder)
        with tempfile.TemporaryDirectory(dir=out) as tmp:
            load(build_directory=tmp, **options)
            os.replace(Path(tmp) / target.name, target)
    module, reason = native.load_module(out, fresh=True, level=level)
    if module is None:
        raise RuntimeError(reason)
    return str(target)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="recompile even when the module exists")
    parser.add_argument("--verbose", action="store_true", help="show the compiler's commands")
    names = [lv.name for lv in native_cache.levels()]
    parser.add_argument("--level", choices=[*names, "all"], help="a portable level instead of this CPU")
    parser.add_argument("--out", type=Path, help="where the build goes (default: the build directory)")
    args = parser.parse_args(argv)
    wanted: list[Level | None] = [None]
    if args.level == "all":
        cpu = native_cache.cpu_features()
        wanted = [lv for lv in native_cache.levels() if not lv.missing(cpu)]
        for lv in native_cache.levels():
            if lv.missing(cpu):
                print(f"build_native: {lv.name} skipped: this CPU lacks {', '.join(lv.missing(cpu))}")
    elif args.level:
        wanted = [native_cache.level(args.level)]
    status = 0 if wanted else 1
    return status | native_cache.build_levels(
        wanted,
        lambda level: build(args.force, args.verbose, level, args.out),
        "fused CPU rasterizer",
        "the PyTorch rasterizer is used instead",
    )


if __name__ == "__main__":
    sys.exit(main())
