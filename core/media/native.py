"""The fused C tone-map kernel (``csrc/tonemap.c``): where its build lives, loading it, calling it.

HDR frames spend their time in :mod:`core.media.tonemap`; its NumPy route costs ~75 ms per 1080p
frame on one core, most of it writing and re-reading whole-band temporaries and NumPy's
per-element table lookups. The kernel does the same steps with the same tables one pixel at a
time, in registers (~5x faster: 15-20 ms). It is plain C with no Python API, loaded with ctypes, so it
needs no torch and no Python headers, only a C compiler at install time
(``python -m core.media.build_native``, run by ``installers/setup.sh``). Nothing is compiled
while decoding: when the module is missing or fails to load, :func:`status` says why and the
tone map keeps its NumPy route.

The file's name carries a hash of the source, the compiler flags and this CPU's instruction-set
flags (it is built with ``-march=native``), so a build from another source or for another
machine is never loaded by mistake. Directory: ``$DHSTUDIO_NATIVE_DIR`` when set, else
``$XDG_CACHE_HOME/dhstudio/native`` (``~/.cache/dhstudio/native``), shared with the fused
rasterizer. Without that build, an application bundle's portable build for the highest
instruction-set level this CPU runs is loaded instead (:mod:`core.native_cache`); its name
carries the level in place of the CPU's flags.
"""

from __future__ import annotations

import ctypes
import hashlib
import platform
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from core import native_cache
from core.native_cache import Level, build_dir, cpu_flags

SOURCE = Path(__file__).resolve().parent / "csrc" / "tonemap.c"
BUILD_COMMAND = "python -m core.media.build_native"
ABI = 2  # DHS_TONEMAP_ABI in the source


def cflags(compiler_type: str, level: Level | None = None) -> list[str]:
    """Optimised for this CPU (built at install time on the machine that runs it), or for a
    portable `level` (a bundle's build)."""
    if compiler_type == "msvc":
        return ["/O2", "/fp:precise", *(level.flags("msvc") if level else [])]
    # -fno-wrapv undoes the -fwrapv of Python's own CFLAGS (which distutils puts first): with it
    # GCC emits a different, ~10 % slower pixel loop (measured on the 1080p bench frames).
    # -fno-trapping-math lets GCC compute the gamut fit's guarded divisions in every lane and keep
    # the chosen ones (the same values): without it the pixel loop is "control flow" to GCC and stays
    # scalar on every CPU without AVX-512's masked division (AVX2 laptops, Zen): 87 -> 39 ms per
    # 1080p HLG frame on a Zen host (benchmarks/bench_decode_colour.py)
    flags = [
        "-O3",
        "-fno-math-errno",
        "-fno-trapping-math",
        "-fno-wrapv",
        "-fopenmp-simd",
        "-fPIC",
        "-std=c99",
    ]
    if level is not None:
        flags += level.flags(compiler_type)
    elif platform.machine() in ("x86_64", "AMD64", "aarch64", "arm64"):
        flags.append("-march=native")
    return flags


# GCC's generic tuning keeps table lookups scalar; AVX2/AVX-512 gathers make the kernel ~1.5x faster
GATHER_FLAGS = ["-mtune-ctrl=use_gather_2parts,use_gather_4parts,use_gather"]


def module_file(level: Level | None = None) -> str:
    """``dhs_tonemap_<hash>.<ext>`` (this CPU's build) or ``dhs_tonemap_<level>_<hash>.<ext>`` (a
    portable one): the only file the loader accepts."""
    h = hashlib.sha256(SOURCE.read_bytes())
    pin = cpu_flags() if level is None else level.name
    for part in (" ".join(cflags("unix", level)), " ".join(GATHER_FLAGS), platform.machine(), pin):
        h.update(part.encode())
    ext = {"win32": "dll", "darwin": "dylib"}.get(sys.platform, "so")
    tag = "" if level is None else f"{level.tag}_"
    return f"dhs_tonemap_{tag}{h.hexdigest()[:16]}.{ext}"


class Params(ctypes.Structure):
    """``dhs_tonemap_params`` (see the source)."""

    _fields_ = [
        ("ycc", ctypes.c_float * 12),
        ("luma", ctypes.c_float * 3),
        ("m", ctypes.c_float * 9),
        ("luma709", ctypes.c_float * 3),
        ("lin_top", ctypes.c_int32),
        ("gain_n", ctypes.c_int32),
        ("out_n", ctypes.c_int32),
        ("bgr", ctypes.c_int32),
    ]


@dataclass(frozen=True)
class NativeStatus:
    """The loaded library, or ``None`` and the reason it is unavailable."""

    lib: ctypes.CDLL | None
    detail: str  # where it was loaded from, or why it was not

    @property
    def ok(self) -> bool:
        return self.lib is not None


def load(directory: Path, level: Level | None = None) -> NativeStatus:
    """This source's compiled kernel (this CPU's build, or `level`'s) from ``directory``; never compiles."""
    try:
        path = directory / module_file(level)
    except OSError as exc:  # an application bundle without the C source: nothing to match a build to
        return NativeStatus(
            None, f"tone-map kernel source {SOURCE} unreadable ({exc}); HDR frames take the NumPy route"
        )
    if not path.is_file():
        others = sorted(p.name for p in directory.glob("dhs_tonemap_*")) if directory.is_dir() else []
        stale = f" (only builds of other sources or machines there: {', '.join(others)})" if others else ""
        return NativeStatus(
            None,
            f"fused tone-map kernel not built: {path.name} is not in {directory}{stale}; "
            f"build it with `{BUILD_COMMAND}` (HDR frames take the slower NumPy route meanwhile)",
        )
    try:
        lib = ctypes.CDLL(str(path))
        if lib.dhs_tonemap_abi() != ABI:
            return NativeStatus(None, f"tone-map kernel at {path} has another calling convention; rebuild it")
    except (OSError, AttributeError) as exc:  # a broken or incompatible binary: the NumPy route remains
        return NativeStatus(None, f"tone-map kernel at {path} failed to load: {type(exc).__name__}: {exc}")
    p = ctypes.c_void_p
    size = ctypes.c_ssize_t
    i = ctypes.c_int
    lib.dhs_tonemap_rows.argtypes = [p, size, p, p, size, i, i, i, i, p, p, p, p, p, size]
    lib.dhs_tonemap_rows.restype = ctypes.c_int
    return NativeStatus(lib, f"loaded from {path}")


def find(own: Path, bundled: Path | None, cpu: str | None = None) -> NativeStatus:
    """This machine's build from `own`; else the bundle's build in `bundled` for the highest level
    `cpu` (a flags line; default this CPU's) runs. The detail says which, or why neither."""
    mine = load(own)
    if mine.ok:
        return NativeStatus(mine.lib, f"this machine's build ({mine.detail})")
    if bundled is None:
        return mine
    try:
        built = [lv.name for lv in native_cache.levels() if (bundled / module_file(lv)).is_file()]
    except OSError:  # no source to name the builds by: `mine` says so
        return mine
    cpu = native_cache.cpu_features() if cpu is None else cpu

    def load_level(lv: Level) -> tuple[ctypes.CDLL | None, str]:
        got = load(bundled, lv)
        return got.lib, got.detail

    lib, detail = native_cache.load_bundled(bundled, built, cpu, load_level)
    return NativeStatus(lib, detail if lib is not None else f"{mine.detail}; {detail}")


@lru_cache(maxsize=1)
def status() -> NativeStatus:
    """Whether the kernel is usable in this process (looked up once): :func:`find` in the build
    directory and the bundle's folder."""
    return find(build_dir(), native_cache.bundled_dir())


def tonemap_rows(
    lib: ctypes.CDLL,
    y: np.ndarray,
    cb: np.ndarray,
    cr: np.ndarray,
    sx: int,
    sy: int,
    params: Params,
    lin_t: np.ndarray,
    gain_t: np.ndarray,
    out_t: np.ndarray,
    out: np.ndarray,
) -> None:
    """Planes (uint16, rows contiguous; chroma of pixel (r, c) at (r // sy, c // sx)) -> `out`
    (uint8 [H, W, 3], rows contiguous), through the tables (float32, float32, uint8 padded by 3 bytes)."""
    assert y.dtype == cb.dtype == cr.dtype == np.uint16 and out.dtype == np.uint8
    assert cb.strides == cr.strides and all(a.strides[-1] == a.itemsize for a in (y, cb, cr))
    assert out.strides[1:] == (3, 1) and lin_t.dtype == gain_t.dtype == np.float32 and out_t.dtype == np.uint8
    h, w = y.shape
    rc = lib.dhs_tonemap_rows(
        y.ctypes.data,
        y.strides[0] // 2,
        cb.ctypes.data,
        cr.ctypes.data,
        cb.strides[0] // 2,
        h,
        w,
        sx,
        sy,
        ctypes.addressof(params),
        lin_t.ctypes.data,
        gain_t.ctypes.data,
        out_t.ctypes.data,
        out.ctypes.data,
        out.strides[0],
    )
    if rc != 0:
        raise MemoryError("the tone-map kernel could not allocate its row scratch")
