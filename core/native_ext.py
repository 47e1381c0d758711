"""A compiled C++ torch extension of the project: its compiler flags, the name that pins a build to
its sources, torch and CPU, and how it is built and loaded (one spec per kernel, one code path).

Builds go to :func:`core.native_cache.build_dir` at install time (``installers/setup.sh``) and, for
application bundles, to a folder per portable instruction-set level
(``installers/bundle_kernels.sh``, ``--level all --out DIR``). Loading never compiles: a missing or
broken build is reported (`TorchExtension.find`) and the caller takes its slower route.

The module's name carries a hash of its sources, the compiler flags, the torch and Python versions
and this CPU's instruction-set flags, so a build from other sources, another torch or another
machine is never loaded by mistake: it simply is not the file the loader looks for. A portable
build carries its level in place of the CPU's flags, and torch's C++ ABI beside its version.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import os
import platform
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from core import native_cache
from core.native_cache import Level, cpu_flags


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


def module_file(name: str) -> str:
    """The compiled module's file name (torch's extension builds write ``.pyd`` on Windows)."""
    return f"{name}.pyd" if sys.platform == "win32" else f"{name}.so"


@dataclass(frozen=True)
class NativeStatus:
    """A torch extension's loaded module, or ``None`` and the reason it is unavailable."""

    module: ModuleType | None
    detail: str  # where it was loaded from, or why it was not

    @property
    def ok(self) -> bool:
        return self.module is not None


@dataclass(frozen=True)
class TorchExtension:
    """One kernel: its sources, the name prefix of its builds, and what the messages call it."""

    prefix: str  # "dhs_dinet_mini": builds are <prefix>_[<level>_]<hash>.so
    label: str  # "fused DINet mini kernel"
    source: Path
    headers: tuple[Path, ...]
    build_command: str  # "python -m core.lipsync.build_native"
    extra_cflags: tuple[str, ...] = ()  # beside `cflags` (part of the build's name too)

    def cflags(self, level: Level | None = None) -> list[str]:
        return [*cflags(level), *self.extra_cflags]

    def module_name(self, level: Level | None = None) -> str:
        """``<prefix>_<hash>`` (this CPU's build) or ``<prefix>_<level>_<hash>`` (a portable one)."""
        import torch

        h = hashlib.sha256()
        for path in (self.source, *self.headers):
            h.update(path.read_bytes())
        parts = [" ".join(self.cflags(level)), torch.__version__, sys.version, platform.machine()]
        parts += (
            [cpu_flags()] if level is None else [f"cxx11abi={torch._C._GLIBCXX_USE_CXX11_ABI}", level.name]
        )
        for part in parts:
            h.update(part.encode())
        tag = "" if level is None else f"{level.tag}_"
        return f"{self.prefix}_{tag}{h.hexdigest()[:16]}"

    def load_module(
        self, directory: Path, fresh: bool = False, level: Level | None = None
    ) -> tuple[ModuleType | None, str]:
        """This source's compiled module (this CPU's build, or `level`'s) from ``directory``, or
        ``None`` and why not; never compiles."""
        try:
            name = self.module_name(level)
        except OSError as exc:  # a bundle without the C++ sources: nothing to match a build to
            return None, f"{self.label} sources unreadable ({exc})"
        path = directory / module_file(name)
        if not fresh and name in sys.modules:
            return sys.modules[name], f"loaded from {path}"
        if not path.is_file():
            others = sorted(p.name for p in directory.glob(f"{self.prefix}_*")) if directory.is_dir() else []
            stale = (
                f" (only builds of other sources/torch versions there: {', '.join(others)})" if others else ""
            )
            return None, (
                f"{self.label} not built: {path.name} is not in {directory}{stale}; "
                f"build it with `{self.build_command}`"
            )
        try:
            loader = importlib.machinery.ExtensionFileLoader(name, str(path))
            spec = importlib.util.spec_from_file_location(name, path, loader=loader)
            assert spec is not None
            module = importlib.util.module_from_spec(spec)
            loader.exec_module(module)
        except Exception as exc:  # a broken or incompatible binary: report it, the fallback remains
            return None, f"{self.label} at {path} failed to load: {type(exc).__name__}: {exc}"
        sys.modules[name] = module
        return module, f"loaded from {path}"

    def find(self, own: Path, bundled: Path | None, cpu: str | None = None) -> tuple[ModuleType | None, str]:
        """This machine's build from `own`; else the bundle's build in `bundled` for the highest
        level `cpu` (a flags line; default this CPU's) runs. The detail says which, or why neither."""
        module, detail = self.load_module(own)
        if module is not None:
            return module, f"this machine's build ({detail})"
        if bundled is None:
            return None, detail
        try:
            built = [
                lv.name
                for lv in native_cache.levels()
                if (bundled / module_file(self.module_name(lv))).is_file()
            ]
        except OSError:  # no sources to name the builds by: `detail` says so
            return None, detail
        cpu = native_cache.cpu_features() if cpu is None else cpu
        got, got_detail = native_cache.load_bundled(
            bundled, built, cpu, lambda lv: self.load_module(bundled, level=lv)
        )
        return got, got_detail if got is not None else f"{detail}; {got_detail}"

    def build(
        self, force: bool = False, verbose: bool = False, level: Level | None = None, out: Path | None = None
    ) -> str:
        """Build (or reuse) the module for this CPU, or for a portable `level`, in `out` (default
        the build directory); returns its path. Raises when compiling or loading fails. torch's
        build imports what it built, so a level this CPU lacks cannot be built here."""
        if level is not None and level.missing(native_cache.cpu_features()):
            lacking = ", ".join(level.missing(native_cache.cpu_features()))
            raise RuntimeError(
                f"this CPU lacks {lacking}, so it cannot load (and torch cannot build) {level.name}"
            )
        name = self.module_name(level)
        out = native_cache.build_dir() if out is None else out
        target = out / module_file(name)
        if target.is_file() and not force and self.load_module(out, level=level)[0] is not None:
            return str(target)
        out.mkdir(parents=True, exist_ok=True)
        from torch.utils.cpp_extension import load

        options = dict(
            name=name,
            sources=[str(self.source)],
            extra_cflags=self.cflags(level),
            extra_ldflags=openmp_link_flags(),
            extra_include_paths=[str(self.source.parent)],
            verbose=verbose,
        )
        # torch writes its objects and build.ninja into a folder of this build's own (two kernels never
        # share one); the module then moves into place in one step, so a half-written one is never loaded
        with tempfile.TemporaryDirectory(dir=out) as tmp:
            load(build_directory=tmp, **options)
            os.replace(Path(tmp) / target.name, target)
        module, reason = self.load_module(out, fresh=True, level=level)
        if module is None:
            raise RuntimeError(reason)
        return str(target)

    def main(self, argv: list[str] | None, doc: str, label: str, fallback: str) -> int:
        """The ``build_native`` command line: ``[--force] [--verbose] [--level LEVEL|all --out DIR]``;
        exit status 0 when every module asked for builds (or is already built) and loads."""
        args = native_cache.build_parser(doc.splitlines()[0], "module").parse_args(argv)
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
            wanted, lambda lv: self.build(args.force, args.verbose, lv, args.out), label, fallback
        )
