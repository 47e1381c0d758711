"""Where the project's compiled CPU kernels live, what pins a build to a CPU, and which portable
build a bundle may load.

Both kernels (the fused Gaussian rasterizer, `core.gaussians.render`, and the HDR tone map,
`core.media.native`) are built at install time with ``-march=native`` into one directory:
``$DHSTUDIO_NATIVE_DIR`` when set, else ``$XDG_CACHE_HOME/dhstudio/native``
(``~/.cache/dhstudio/native``). Each build's file name hashes, among other things, this CPU's
instruction-set flags (`cpu_flags`), so a build made for another machine is never loaded.

The application bundles (installers/dhstudio.spec) cannot build for the user's CPU, so they ship
builds for named portable instruction-set :class:`Level` s in their own ``native/`` folder
(:func:`bundled_dir`). A kernel's loader takes this machine's build first; without one, the
highest bundled level this CPU runs (:func:`pick_level`): a build for a level the CPU lacks would
die with SIGILL on its first vector instruction, so it is never loaded.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

ENV_DIR = "DHSTUDIO_NATIVE_DIR"
BUNDLED_ENV = "DHSTUDIO_BUNDLED_NATIVE_DIR"
T = TypeVar("T")
BUNDLED_SUBDIR = "native"  # inside the bundle's data folder (sys._MEIPASS)


def build_dir() -> Path:
    """The known build directory (see the module docstring)."""
    if os.environ.get(ENV_DIR):
        return Path(os.environ[ENV_DIR]).expanduser()
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "dhstudio" / "native"


def bundled_dir() -> Path | None:
    """The bundle's portable builds: ``$DHSTUDIO_BUNDLED_NATIVE_DIR`` when set; in a frozen app
    (PyInstaller) ``native/`` in its data folder (``sys._MEIPASS``, else beside the executable);
    ``None`` when running from source, which has no bundled builds."""
    if os.environ.get(BUNDLED_ENV):
        return Path(os.environ[BUNDLED_ENV]).expanduser()
    if getattr(sys, "frozen", False):
        base = getattr(sys, "_MEIPASS", None) or Path(sys.executable).resolve().parent
        return Path(base) / BUNDLED_SUBDIR
    return None


@lru_cache(maxsize=1)
def cpu_flags() -> str:
    """This CPU's instruction-set flags line (Linux), else the processor's name."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(("flags", "Features")):
                return line
    except OSError:
        pass
    return platform.processor()


@dataclass(frozen=True)
class Level:
    """A portable instruction-set level: the compiler flags of a build for it and the CPU flags
    (Linux /proc/cpuinfo names; ``a|b``: either) a CPU needs to run that build."""

    name: str  # "x86-64-v3"
    unix_flags: tuple[str, ...]  # GCC and clang
    msvc_flags: tuple[str, ...]
    needs: tuple[str, ...] = ()

    @property
    def tag(self) -> str:
        """The name as it appears in file and module names (an identifier)."""
        return self.name.replace("-", "_")

    def flags(self, compiler_type: str) -> list[str]:
        return list(self.msvc_flags if compiler_type == "msvc" else self.unix_flags)

    def missing(self, cpu: str) -> list[str]:
        """The needed flags `cpu` (a flags line) lacks."""
        have = set(cpu.replace(":", " ").split())
        return [n for n in self.needs if not any(a in have for a in n.split("|"))]


# GCC's definitions of the x86-64 micro-architecture levels (the psABI's), in /proc/cpuinfo names
_V2 = ("cx16", "lahf_lm", "popcnt", "pni", "sse4_1", "sse4_2", "ssse3")  # pni: SSE3
_V3 = (*_V2, "avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm|lzcnt", "movbe")  # abm: LZCNT
X86_64_V3 = Level("x86-64-v3", ("-march=x86-64-v3",), ("/arch:AVX2",), _V3)
X86_64_V2 = Level("x86-64-v2", ("-march=x86-64-v2",), (), _V2)  # MSVC: its default (SSE2) code
ARMV8 = Level("armv8-a", ("-march=armv8-a",), (), ())  # every 64-bit ARM CPU
APPLE_M1 = Level("apple-m1", ("-mcpu=apple-m1",), (), ())  # every Apple silicon Mac


def levels(machine: str | None = None, system: str | None = None) -> tuple[Level, ...]:
    """The portable levels bundles are built for on this architecture, highest first."""
    machine = (machine or platform.machine()).lower()
    system = system or sys.platform
    if machine in ("x86_64", "amd64"):
        return (X86_64_V3, X86_64_V2)
    if machine in ("aarch64", "arm64"):
        return (APPLE_M1,) if system == "darwin" else (ARMV8,)
    return ()


def level(name: str) -> Level:
    """The level called `name` on this architecture; raises ``ValueError`` naming the choices."""
    for lv in levels():
        if lv.name == name:
            return lv
    choices = ", ".join(lv.name for lv in levels()) or "none"
    raise ValueError(f"no portable level {name!r} on {platform.machine()}: choose one of {choices}")


def pick_level(
    built: Iterable[str], cpu: str, candidates: tuple[Level, ...] | None = None
) -> tuple[Level | None, str]:
    """The highest level among `built` (level names) whose needs `cpu` (a flags line) has, or
    ``None``; with a note saying which built levels were skipped for which missing flags."""
    built = set(built)
    skipped = []
    for lv in levels() if candidates is None else candidates:
        if lv.name not in built:
            continue
        lacking = lv.missing(cpu)
        if not lacking:
            return lv, "; ".join(skipped)
        skipped.append(f"{lv.name} skipped: this CPU lacks {', '.join(lacking)}")
    return None, "; ".join(skipped) or "no build for this architecture"


def load_bundled(
    bundled: Path, built: Iterable[str], cpu: str, load: Callable[[Level], tuple[T | None, str]]
) -> tuple[T | None, str]:
    """Load the highest level among `built` that `cpu` runs and whose build in `bundled` loads.

    A build that fails to load (a damaged or truncated file, a missing library) gives way to the
    next level down, not straight to the slow fallback; the detail names every build that failed.
    Returns the loaded object and "bundled <level> build (<load's detail>[; notes])", or ``None`` and
    why none loaded."""
    candidates = [lv.name for lv in levels() if lv.name in set(built)]
    failed: list[str] = []
    while True:
        lv, note = pick_level(candidates, cpu)
        if lv is None:
            if failed:
                return None, "; ".join(failed)
            return None, f"no bundled build in {bundled} runs here ({note})"
        got, detail = load(lv)
        if got is not None:
            notes = "".join(f"; {n}" for n in (*failed, note) if n)
            return got, f"bundled {lv.name} build ({detail}{notes})"
        failed.append(f"bundled {lv.name} build: {detail}")
        candidates.remove(lv.name)


@lru_cache(maxsize=1)
def cpu_features() -> str:
    """The flags the levels are checked against, in /proc/cpuinfo's names: Linux reads them
    (`cpu_flags`); macOS asks sysctl; Windows asks IsProcessorFeaturePresent."""
    if sys.platform == "darwin":
        return _darwin_features()
    if sys.platform == "win32":
        return _windows_features()
    return cpu_flags()


_DARWIN_NAMES = {"sse3": "pni", "sse4.1": "sse4_1", "sse4.2": "sse4_2", "avx1.0": "avx", "lahf": "lahf_lm"}


def darwin_flags(sysctl_out: str) -> str:
    """``machdep.cpu`` feature words (``SSE4.2 AVX1.0 ...``) -> /proc/cpuinfo names."""
    words = sysctl_out.lower().split()
    return " ".join(_DARWIN_NAMES.get(w, w) for w in words)


def _darwin_features() -> str:
    keys = ["machdep.cpu.features", "machdep.cpu.leaf7_features", "machdep.cpu.extfeatures"]
    try:
        out = subprocess.run(["sysctl", "-n", *keys], capture_output=True, text=True, timeout=5).stdout
    except (OSError, subprocess.SubprocessError):
        out = ""
    return darwin_flags(out) or platform.processor()


def _windows_features() -> str:
    """IsProcessorFeaturePresent knows SSE3, CX16, SSSE3, SSE4.1/4.2, AVX and AVX2 only. POPCNT
    and LAHF come with every SSE4.2 CPU, BMI1/2, FMA, F16C, LZCNT and MOVBE with every AVX2 one
    (Intel Haswell, AMD Excavator and later)."""
    try:
        import ctypes

        present = ctypes.windll.kernel32.IsProcessorFeaturePresent  # type: ignore[attr-defined]
    except (ImportError, AttributeError, OSError):
        return platform.processor()
    known = {13: "pni", 14: "cx16", 36: "ssse3", 37: "sse4_1", 38: "sse4_2", 39: "avx", 40: "avx2"}
    flags = {name for code, name in known.items() if present(code)}
    if "sse4_2" in flags:
        flags |= {"popcnt", "lahf_lm"}
    if "avx2" in flags:
        flags |= {"bmi1", "bmi2", "fma", "f16c", "abm", "movbe"}
    return " ".join(sorted(flags))


def build_parser(description: str, what: str) -> argparse.ArgumentParser:
    """The ``build_native`` commands' shared options: ``[--force] [--verbose] [--level LEVEL|all --out DIR]``
    (`what` names the thing built: "kernel", "module")."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--force", action="store_true", help=f"recompile even when the {what} exists")
    parser.add_argument("--verbose", action="store_true", help="show the compiler's commands")
    names = [lv.name for lv in levels()]
    parser.add_argument("--level", choices=[*names, "all"], help="a portable level instead of this CPU")
    parser.add_argument("--out", type=Path, help="where the build goes (default: the build directory)")
    return parser


def build_levels(
    wanted: list[Level | None], build: Callable[[Level | None], Path], label: str, fallback: str
) -> int:
    """Run a kernel's `build` for each wanted level (None: this CPU), saying what became of each;
    exit status 0 when every one built. Shared by both `build_native` commands."""
    status = 0
    for level in wanted:
        what = "this CPU" if level is None else level.name
        t0 = time.perf_counter()
        try:
            path = build(level)
        except Exception as exc:  # a compiler or toolchain failure: say it, the fallback remains
            print(f"build_native: {what}: FAILED ({type(exc).__name__}: {exc}); {fallback}")
            status = 1
            continue
        built = "" if level is None else f" for {level.name}"
        print(f"build_native: {label}{built} ready: {path} ({time.perf_counter() - t0:.1f} s)")
    return status
