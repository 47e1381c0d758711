"""HDR (HLG, PQ) and wide-gamut frames -> BT.709 SDR 8-bit RGB, as display light, hue kept.

The route (ITU-R BT.2100 for the transfers, BT.2408's display-light mapping, BT.2390's EETF):

1. Y'CbCr -> R'G'B' with the stream's matrix and range (:func:`yuv_to_rgb_planes`).
2. Per channel to linear light through a lookup table: HLG's inverse OETF gives scene light E in
   [0, 1]; PQ's EOTF gives display light in cd/m^2 / 10000; an SDR signal with other primaries is
   linearised with BT.1886's gamma 2.4.
3. Luminance Y = 0.2627 R + 0.6780 G + 0.0593 B (BT.2020's weights; P3's for P3: the same light,
   so the same number after the change of primaries). Every later step on luminance is one gain
   per pixel, looked up from Y:
     HLG: the OOTF of a 1000 cd/m^2 display, Fd = 1000 Ys^0.2 E (system gamma 1.2), so Yd = 1000 Ys^1.2;
     then BT.2390's EETF (a Hermite knee in PQ space) maps the source peak (1000 cd/m^2 for HLG; the
     mastering display's or the content light level's for PQ, 1000 when untold) onto SDR white,
     which shows at HDR reference white, 203 cd/m^2 (BT.2408): luminance under the knee (~90 cd/m^2
     for a 1000 cd/m^2 source) is kept as it is, brighter light is compressed and nothing clips.
     Scaling R, G and B by one gain keeps the hue and saturation of each pixel.
4. BT.2020 (or P3) -> BT.709 primaries in linear light; colours outside BT.709 (a negative
   component) and above SDR white are desaturated toward their own luminance until they fit, so
   they keep hue and luminance instead of clipping per channel.
5. BT.1886's inverse EOTF (gamma 1/2.4) per channel -> uint8, full range.
   The light computed is display light, so the SDR display's own EOTF is inverted; BT.709's camera
   OETF would apply a second system gamma.

Two routes compute these steps with the same tables: a fused C kernel (core/media/csrc/tonemap.c,
:mod:`core.media.native`; ~15-20 ms per 1080p frame on one core), used when it is built, and the
NumPy/OpenCV route (~80-95 ms), the fallback. The kernel fits the gamut exactly on every pixel; the
NumPy route leaves components within GAMUT_SLACK of the bounds to the clamp (a level or two apart
on the odd dark, saturated pixel).

SDR content carried in HLG or PQ at BT.2408's levels (SDR white at 203 cd/m^2) comes back as it was
up to the knee (8-bit code ~180), within a level or two.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from core.media import native, yuv
from core.media.colour import FrameColour
from core.media.yuv import yuv_to_rgb_affine

SDR_WHITE_NITS = 203.0  # BT.2408 HDR reference white, where SDR white is shown
HLG_DISPLAY_PEAK = 1000.0  # the nominal HLG display (system gamma 1.2)
PQ_DEFAULT_PEAK = 1000.0  # PQ without mastering metadata: what phones master to
PQ_MAX_NITS = 10000.0
_IN_LUT = 16384  # per-channel linearisation table size (signal 0..1)
_GAIN_LUT = 16384  # gain table size, indexed by sqrt(Y)

# linear RGB -> linear BT.709 RGB (D65 white), from the primaries' chromaticities
_TO_709: dict[str, np.ndarray] = {
    "bt709": np.eye(3),
    "bt2020": np.array(
        [
            [1.6604910, -0.5876411, -0.0728499],
            [-0.1245505, 1.1328999, -0.0083494],
            [-0.0181508, -0.1005789, 1.1187297],
        ]
    ),
    "p3": np.array(
        [
            [1.2249401, -0.2249404, 0.0],
            [-0.0420569, 1.0420571, 0.0],
            [-0.0196376, -0.0786361, 1.0982735],
        ]
    ),
}
_LUMA_2020 = np.array([0.2627, 0.6780, 0.0593])
_LUMA_709 = np.array([0.2126, 0.7152, 0.0722])
_LUMA_P3 = np.array([0.2290, 0.6917, 0.0793])
_LUMA_OF = {"bt709": _LUMA_709, "bt2020": _LUMA_2020, "p3": _LUMA_P3}


# --- BT.2100 transfer functions (signal and light in [0, 1]) ---


def hlg_inverse_oetf(e: np.ndarray) -> np.ndarray:
    """HLG signal E' -> normalised scene light E."""
    a, b, c = 0.17883277, 0.28466892, 0.55991073
    e = np.clip(np.asarray(e, np.float64), 0.0, 1.0)
    return np.where(e <= 0.5, e * e / 3.0, (np.exp((e - c) / a) + b) / 12.0)


def hlg_oetf(x: np.ndarray) -> np.ndarray:
    """Normalised scene light E -> HLG signal E'."""
    a, b, c = 0.17883277, 0.28466892, 0.55991073
    x = np.clip(np.asarray(x, np.float64), 0.0, 1.0)
    return np.where(x <= 1 / 12, np.sqrt(3 * x), a * np.log(np.maximum(12 * x - b, 1e-12)) + c)


_M1, _M2, _C1, _C2, _C3 = 2610 / 16384, 2523 / 4096 * 128, 3424 / 4096, 2413 / 4096 * 32, 2392 / 4096 * 32


def pq_eotf(e: np.ndarray) -> np.ndarray:
    """PQ signal E' -> display light / 10000 cd/m^2."""
    p = np.clip(np.asarray(e, np.float64), 0.0, 1.0) ** (1 / _M2)
    return (np.maximum(p - _C1, 0.0) / (_C2 - _C3 * p)) ** (1 / _M1)


def pq_inverse_eotf(y: np.ndarray) -> np.ndarray:
    """Display light / 10000 cd/m^2 -> PQ signal E'."""
    p = np.clip(np.asarray(y, np.float64), 0.0, 1.0) ** _M1
    return ((_C1 + _C2 * p) / (1 + _C3 * p)) ** _M2


def bt2390_eetf(nits: np.ndarray, source_peak: float, target_peak: float) -> np.ndarray:
    """BT.2390's EETF (black level 0): display light [0, source_peak] -> [0, target_peak] in cd/m^2.

    Identity below the knee start KS = 1.5 m - 0.5 (in PQ, relative to the source peak, m the
    target peak's share), a Hermite spline above it that reaches target_peak at source_peak.
    """
    nits = np.asarray(nits, np.float64)
    if source_peak <= target_peak:
        return np.minimum(nits, target_peak)
    top = pq_inverse_eotf(source_peak / PQ_MAX_NITS)
    e1 = pq_inverse_eotf(np.minimum(nits, source_peak) / PQ_MAX_NITS) / top
    m = pq_inverse_eotf(target_peak / PQ_MAX_NITS) / top
    ks = 1.5 * m - 0.5
    t = np.clip((e1 - ks) / (1 - ks), 0.0, 1.0)
    t2, t3 = t * t, t * t * t
    spline = (2 * t3 - 3 * t2 + 1) * ks + (t3 - 2 * t2 + t) * (1 - ks) + (-2 * t3 + 3 * t2) * m
    e2 = np.where(e1 < ks, e1, spline)
    return pq_eotf(e2 * top) * PQ_MAX_NITS


# --- the transfers as registry entries: signal -> linear, and the gain from luminance ---


@dataclass(frozen=True)
class Transfer:
    """How one transfer's linear values become SDR display light (1.0 = SDR white).

    `to_linear`: signal [0, 1] -> linear (scene light for HLG, display light / 10000 for PQ, SDR
    display light for SDR). `gain(y, peak)`: the factor on R, G, B for a pixel of linear
    luminance y, given the source peak in cd/m^2.
    """

    to_linear: Callable[[np.ndarray], np.ndarray]
    gain: Callable[[np.ndarray, float], np.ndarray]
    default_peak: float


def _hlg_gain(ys: np.ndarray, peak: float) -> np.ndarray:
    yd = peak * np.power(ys, 1.2)  # OOTF: display luminance
    out = bt2390_eetf(yd, peak, SDR_WHITE_NITS) / SDR_WHITE_NITS
    return np.divide(out, ys, out=np.zeros_like(ys), where=ys > 0)  # gain -> 0 at black (Ys^0.2)


def _pq_gain(yd: np.ndarray, peak: float) -> np.ndarray:
    nits = yd * PQ_MAX_NITS
    out = bt2390_eetf(nits, peak, SDR_WHITE_NITS) / SDR_WHITE_NITS
    small = PQ_MAX_NITS / SDR_WHITE_NITS  # the gain under the knee, also at black
    return np.divide(out, yd, out=np.full_like(yd, small), where=yd > 0)


def _sdr_gain(y: np.ndarray, peak: float) -> np.ndarray:
    return np.ones_like(y)


TRANSFERS: dict[str, Transfer] = {
    "hlg": Transfer(hlg_inverse_oetf, _hlg_gain, HLG_DISPLAY_PEAK),
    "pq": Transfer(pq_eotf, _pq_gain, PQ_DEFAULT_PEAK),
    "sdr": Transfer(lambda e: np.clip(np.asarray(e, np.float64), 0.0, 1.0) ** 2.4, _sdr_gain, 100.0),
}


# Table sizes. Input: R'G'B' signal 0..1 -> index 0.._IN_TOP, rounded by cv2.transform (uint16,
# saturating: below 0 -> 0; the table's tail repeats f(1) up to 65535). Gain: indexed by
# floor(sqrt(Y) * _GAIN_LUT). Output: indexed by floor(sqrt(x) * _OUT_LUT) for linear x in [0, 1]
# (the square root spreads the dark end, where BT.1886's inverse is steepest: a bin is < 0.1 level).
_IN_TOP = 65535
_GAIN_LUT = 16384
_OUT_LUT = 16384


@lru_cache(maxsize=16)
def _tables(transfer: str, peak: float) -> tuple[np.ndarray, np.ndarray | None]:
    """(input index -> linear [65536] float32, floor(sqrt(Y) * _GAIN_LUT) -> gain times _OUT_LUT^2
    [_GAIN_LUT + 1] float32, None for SDR's gain of 1)."""
    tf = TRANSFERS[transfer]
    signal = np.minimum(np.arange(65536) / _IN_TOP, 1.0)
    linear = tf.to_linear(signal).astype(np.float32)
    if transfer == "sdr":
        return linear, None
    root = np.minimum((np.arange(_GAIN_LUT + 1) + 0.5) / _GAIN_LUT, 1.0)  # bin centres
    gain = (tf.gain(root * root, peak) * float(_OUT_LUT) ** 2).astype(np.float32)
    return linear, gain


@lru_cache(maxsize=1)
def _out_table() -> np.ndarray:
    """floor(sqrt(x) * _OUT_LUT) -> round(255 x^(1/2.4)) uint8 (BT.1886's inverse EOTF), at bin centres."""
    root = np.minimum((np.arange(_OUT_LUT + 1) + 0.5) / _OUT_LUT, 1.0)
    return np.round(255.0 * np.power(root, 2.0 / 2.4)).astype(np.uint8)


def to_sdr_rgb8(
    y: np.ndarray,
    cb: np.ndarray,
    cr: np.ndarray,
    colour: FrameColour,
    rgb: bool = True,
    peak: float | None = None,
    workers: int | None = None,
    route: str | None = None,
) -> np.ndarray:
    """HDR or wide-gamut Y'CbCr planes -> BT.709 SDR uint8 [H, W, 3] (RGB, or BGR without `rgb`).

    `peak`: the source's peak luminance in cd/m^2 (PQ's mastering display or MaxCLL); None takes
    the transfer's nominal one. `route`: "native" (the fused C kernel of :mod:`core.media.native`,
    ~4x faster), "numpy" (a band of rows at a time on interleaved float32 in scratch that stays in
    the CPU cache: the matrices are `cv2.transform`s, the transfer, the gain and the output gamma
    1-D tables; a 65^3 3D table through cv2.remap was tried before: no faster, and 6-9 levels off
    near black), or None: the kernel when it is built, else NumPy. Both use the same tables and
    agree within a level. `workers` > 1 cuts the frame into that many parts of whole chroma rows
    converted on threads (default: half the CPUs, at most 4; one here on 2 cores, where other work
    leaves no idle core); every pixel is computed the same either way.
    """
    peak = float(peak or TRANSFERS[colour.transfer].default_peak)
    convert = _convert_route(route)
    h = y.shape[0]
    out = np.empty((*y.shape, 3), np.uint8)
    n = _WORKERS if workers is None else max(1, workers)
    sub = h // cb.shape[0] if cb.shape[0] and cb.shape[0] * (h // cb.shape[0]) == h else 0
    if n == 1 or not sub or (h // sub) < 2 * n:
        convert(y, cb, cr, colour, peak, rgb, out)
        return out
    rows = h // sub
    cuts = [rows * i // n for i in range(n + 1)]

    def part(i: int) -> None:
        c0, c1 = cuts[i], cuts[i + 1]
        y0, y1 = c0 * sub, c1 * sub
        convert(y[y0:y1], cb[c0:c1], cr[c0:c1], colour, peak, rgb, out[y0:y1])

    list(_pool(n).map(part, range(n)))
    return out


ROUTES = ("native", "numpy")


def _convert_route(route: str | None) -> Callable[..., None]:
    if route is None:
        return _convert_native if native.status().ok else _convert
    if route == "native":
        if not native.status().ok:
            raise RuntimeError(native.status().detail)
        return _convert_native
    if route == "numpy":
        return _convert
    raise ValueError(f"tone-map route {route!r}: one of {', '.join(ROUTES)} (or None: the fastest built)")


_WORKERS = max(1, min(4, (os.cpu_count() or 1) // 2))  # threads pay only with idle cores
_POOLS: dict[int, ThreadPoolExecutor] = {}
_POOLS_LOCK = threading.Lock()


def _pool(n: int) -> ThreadPoolExecutor:
    with _POOLS_LOCK:
        if n not in _POOLS:
            _POOLS[n] = ThreadPoolExecutor(max_workers=n, thread_name_prefix="tonemap")
        return _POOLS[n]


def _convert(
    y: np.ndarray,
    cb: np.ndarray,
    cr: np.ndarray,
    colour: FrameColour,
    peak: float,
    rgb: bool,
    out: np.ndarray,
) -> None:
    """Planes -> `out` (uint8 [H, W, 3]), band by band."""
    lin_t, gain_t = _tables(colour.transfer, peak)
    out_t = _out_table()
    if y.dtype != np.uint16:  # 8-bit wide-gamut SDR: cv2.transform keeps the depth, the indices need 16 bits
        y, cb, cr = (p.astype(np.uint16) for p in (y, cb, cr))
    to_index = yuv_to_rgb_affine(colour.matrix, colour.full_range, colour.bits) * _IN_TOP
    luma = (_LUMA_OF[colour.primaries] * float(_GAIN_LUT) ** 2)[None, :]
    to_709 = _TO_709[colour.primaries]
    if gain_t is None:  # SDR: linear light is already relative to SDR white
        to_709 = to_709 * float(_OUT_LUT) ** 2
    if not rgb:
        to_709 = to_709[::-1]
    to_709 = np.ascontiguousarray(to_709)
    bands = yuv.YccBands(y, cb, cr, band_pixels=_BAND_PIXELS)
    shape = (bands.rows, y.shape[1], 3)
    index = np.empty(shape, np.uint16)
    lin = np.empty(shape, np.float32)
    mapped = np.empty(shape, np.float32)
    top = float(_OUT_LUT) ** 2
    for y0, y1, ycc in bands:
        k = y1 - y0
        idx, lv, mv = index[:k], lin[:k], mapped[:k]
        cv2.transform(ycc, to_index, dst=idx)  # R'G'B' as table indices, rounded, saturated at 0
        np.take(lin_t, idx, out=lv)
        if gain_t is not None:
            root = cv2.sqrt(cv2.transform(lv, luma))  # sqrt(Y) * _GAIN_LUT
            gain = np.take(gain_t, root.astype(np.uint16), mode="clip")
            cv2.multiply(lv, cv2.cvtColor(gain, cv2.COLOR_GRAY2RGB, dst=mv), dst=lv)
        cv2.transform(lv, to_709, dst=mv)  # linear BT.709 (R, G, B or B, G, R) times _OUT_LUT^2
        _fit_gamut(mv, top, rgb)
        cv2.sqrt(mv, dst=mv)
        np.take(out_t, mv.astype(np.uint16), out=out[y0:y1], mode="clip")


@lru_cache(maxsize=16)
def _native_gain(transfer: str, peak: float) -> tuple[np.ndarray, int]:
    """(the gain table of :func:`_tables` with 1.0 = SDR white, float32 [n + 1]; n): the same bins
    and values as the NumPy route. SDR's gain of 1 is one bin (with zero luminance weights)."""
    gain = _tables(transfer, peak)[1]
    if gain is None:
        return np.ones(2, np.float32), 1
    return (gain / np.float32(float(_OUT_LUT) ** 2)).astype(np.float32), _GAIN_LUT


@lru_cache(maxsize=1)
def _out_table_padded() -> np.ndarray:
    """:func:`_out_table` and 3 bytes: the kernel reads each entry as the low byte of a 32-bit load."""
    return np.concatenate([_out_table(), np.zeros(3, np.uint8)])


@lru_cache(maxsize=32)
def _native_params(colour: FrameColour, peak: float, rgb: bool) -> native.Params:
    gain_n = _native_gain(colour.transfer, peak)[1]
    p = native.Params()
    p.ycc[:] = (yuv_to_rgb_affine(colour.matrix, colour.full_range, colour.bits) * _IN_TOP).ravel().tolist()
    luma = _LUMA_OF[colour.primaries] * float(gain_n) ** 2 if colour.transfer != "sdr" else np.zeros(3)
    p.luma[:] = luma.tolist()
    p.m[:] = _TO_709[colour.primaries].ravel().tolist()
    p.luma709[:] = _LUMA_709.tolist()
    p.lin_top, p.gain_n, p.out_n, p.bgr = _IN_TOP, gain_n, _OUT_LUT, int(not rgb)
    return p


def _convert_native(
    y: np.ndarray,
    cb: np.ndarray,
    cr: np.ndarray,
    colour: FrameColour,
    peak: float,
    rgb: bool,
    out: np.ndarray,
) -> None:
    """Planes -> `out` (uint8 [H, W, 3]) by the fused kernel, with the NumPy route's tables."""
    if y.dtype != np.uint16:  # 8-bit wide-gamut SDR
        y, cb, cr = (p.astype(np.uint16) for p in (y, cb, cr))
    h, w = y.shape
    sx, sy = _step(cb.shape[1], w), _step(cb.shape[0], h)
    if not (sx and sy) or cb.shape != cr.shape or cb.strides != cr.strides:  # other layouts: repeated whole
        sx = sy = 1
        cb, cr = yuv.upsample_chroma(cb, h, w), yuv.upsample_chroma(cr, h, w)
        cb, cr = np.ascontiguousarray(cb), np.ascontiguousarray(cr)
    lin_t, _ = _tables(colour.transfer, peak)
    gain_t, _ = _native_gain(colour.transfer, peak)
    params = _native_params(colour, peak, rgb)
    lib = native.status().lib
    native.tonemap_rows(lib, y, cb, cr, sx, sy, params, lin_t, gain_t, _out_table_padded(), out)


def _step(chroma: int, luma: int) -> int:
    """Luma samples per chroma sample along one axis: 1, 2 (chroma rounded up for odd sizes), or 0."""
    if chroma == luma:
        return 1
    return 2 if chroma == (luma + 1) // 2 else 0


_BAND_PIXELS = 1 << 15  # a band's float scratch (3 x 384 KB) stays in the CPU cache


def _fit_gamut(px: np.ndarray, top: float, rgb: bool = True) -> None:
    """In place on [..., 3] linear light (white = `top`; R, G, B, or B, G, R without `rgb`):
    pixels with a component below 0 or above `top` moved toward their own BT.709 luminance (grey
    of the same light) just far enough to fit; hue and luminance stay. Only those pixels are
    gathered and computed; components within `GAMUT_SLACK` of the bounds (the input's
    quantisation: a neutral dark pixel comes out of the BT.2020 matrix a hair below 0) are left
    to the final clamp."""
    slack = GAMUT_SLACK * top
    flat = px.reshape(px.shape[0], -1)
    lo_all, hi_all, _, _ = cv2.minMaxLoc(flat)
    if lo_all >= -slack and hi_all <= top + slack:
        if lo_all < 0:
            cv2.max(px, 0.0, dst=px)
        return
    # a component's flag (255: inside), then a pixel's: grey 255 only when all three are 255
    inside = cv2.cvtColor(cv2.inRange(flat, (-slack,), (top + slack,)).reshape(px.shape), cv2.COLOR_RGB2GRAY)
    idx = np.flatnonzero(inside.ravel() != 255)
    at = (idx * 3)[None, :] + np.arange(3)[:, None]  # [3, k]: each offender's components in `px`
    v = np.take(px, at)  # [3, k]: channel rows, contiguous
    r, g, b = v if rgb else v[::-1]
    luma = _LUMA_709.astype(np.float32)
    lum = r * luma[0]  # summed in one order for RGB and BGR: the same pixels either way
    lum += g * luma[1]
    lum += b * luma[2]
    np.minimum(np.maximum(lum, 0.0, out=lum), top, out=lum)
    tiny = np.float32(1e-7 * top)
    lo = np.subtract(lum, np.minimum(np.minimum(r, g), b))
    hi = np.subtract(np.maximum(np.maximum(r, g), b), lum)
    s = np.divide(lum, np.maximum(lo, tiny, out=lo), out=lo)
    np.minimum(s, np.divide(top - lum, np.maximum(hi, tiny, out=hi), out=hi), out=s)
    np.minimum(np.maximum(s, 0.0, out=s), 1.0, out=s)
    v -= lum
    v *= s
    v += lum
    px.reshape(-1)[at] = np.maximum(v, 0.0, out=v)  # (above `top` the output table clamps)
    if lo_all < 0:  # components within the slack below 0
        cv2.max(px, 0.0, dst=px)


GAMUT_SLACK = 1e-5
