"""HDR (HLG, PQ) and wide-gamut frames -> BT.709 SDR 8-bit RGB, as display light, hue kept.

The route (ITU-R BT.2100 for the transfers, BT.2408's display-light mapping, BT.2390's EETF):

1. Y'CbCr -> R'G'B' with the stream's matrix and range (:func:`core.media.yuv.yuv_to_rgb_float`).
2. Per channel to linear light through a lookup table: HLG's inverse OETF gives scene light E in
   [0, 1]; PQ's EOTF gives display light in cd/m^2 / 10000; an SDR signal with other primaries is
   linearised with BT.1886's gamma 2.4.
3. Luminance Y = 0.2627 R + 0.6780 G + 0.0593 B (BT.2020; the same number in any primaries with
   D65 white). Every later step on luminance is one gain per pixel, looked up from Y:
     HLG: the OOTF of a 1000 cd/m^2 display, Fd = 1000 Ys^0.2 E (system gamma 1.2), so Yd = 1000 Ys^1.2;
     then BT.2390's EETF (a Hermite knee in PQ space) maps the source peak (1000 cd/m^2 for HLG; the
     mastering display's or the content light level's for PQ, 1000 when untold) onto SDR white,
     which shows at HDR reference white, 203 cd/m^2 (BT.2408): luminance under the knee (~90 cd/m^2
     for a 1000 cd/m^2 source) is kept as it is, brighter light is compressed and nothing clips.
     Scaling R, G and B by one gain keeps the hue and saturation of each pixel.
4. BT.2020 (or P3) -> BT.709 primaries in linear light; colours outside BT.709 (a negative
   component) and above SDR white are desaturated toward their own luminance until they fit, so
   they keep hue and luminance instead of clipping per channel.
5. BT.1886's inverse EOTF (gamma 1/2.4) per channel through a lookup table -> uint8, full range.
   The light computed is display light, so the SDR display's own EOTF is inverted; BT.709's camera
   OETF would apply a second system gamma.

SDR content carried in HLG or PQ at BT.2408's levels (SDR white at 203 cd/m^2) comes back as it was
up to the knee (8-bit code ~180), within a level or two.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from core.media.colour import FrameColour
from core.media.yuv import yuv_to_rgb_float

SDR_WHITE_NITS = 203.0  # BT.2408 HDR reference white, where SDR white is shown
HLG_DISPLAY_PEAK = 1000.0  # the nominal HLG display (system gamma 1.2)
PQ_DEFAULT_PEAK = 1000.0  # PQ without mastering metadata: what phones master to
PQ_MAX_NITS = 10000.0
_IN_LUT = 16384  # per-channel linearisation table size (signal 0..1)
_GAIN_LUT = 16384  # gain table size, indexed by sqrt(Y)
_OUT_LUT = 8192  # output table size, indexed by sqrt(linear)

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


@lru_cache(maxsize=16)
def _tables(transfer: str, peak: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(signal -> linear [_IN_LUT], sqrt(Y) -> gain [_GAIN_LUT], sqrt(linear) -> uint8 [_OUT_LUT])."""
    tf = TRANSFERS[transfer]
    linear = tf.to_linear(np.linspace(0.0, 1.0, _IN_LUT)).astype(np.float32)
    root = np.linspace(0.0, 1.0, _GAIN_LUT)
    gain = tf.gain(root * root, peak).astype(np.float32)
    out = np.linspace(0.0, 1.0, _OUT_LUT) ** (2 / 2.4)  # (sqrt x)^2 ^ (1 / 2.4)
    return linear, gain, np.round(out * 255.0).astype(np.uint8)


def _lookup(table: np.ndarray, x: np.ndarray) -> np.ndarray:
    """table[round(clip(x, 0, 1) * (len - 1))]."""
    n = len(table) - 1
    idx = np.multiply(x, n, dtype=np.float32)
    np.clip(idx, 0, n, out=idx)
    idx += 0.5
    return table[idx.astype(np.int32)]


def to_sdr_rgb8(
    y: np.ndarray,
    cb: np.ndarray,
    cr: np.ndarray,
    colour: FrameColour,
    rgb: bool = True,
    peak: float | None = None,
) -> np.ndarray:
    """HDR or wide-gamut Y'CbCr planes -> BT.709 SDR uint8 [H, W, 3] (RGB, or BGR without `rgb`).

    `peak`: the source's peak luminance in cd/m^2 (PQ's mastering display or MaxCLL); None takes
    the transfer's nominal one.
    """
    tf = TRANSFERS[colour.transfer]
    peak = float(peak or tf.default_peak)
    lin_t, gain_t, out_t = _tables(colour.transfer, peak)
    e = _lookup(lin_t, yuv_to_rgb_float(y, cb, cr, colour.matrix, colour.full_range, colour.bits))
    lum = _luminance(e, _LUMA_OF[colour.primaries])
    g = _lookup(gain_t, np.sqrt(lum, out=lum))
    e *= g[..., None]
    if colour.primaries != "bt709":
        e = e.reshape(-1, 3) @ _TO_709[colour.primaries].T.astype(np.float32)
        e = e.reshape((*g.shape, 3))
    _fit_gamut(e)
    out = _lookup(out_t, np.sqrt(e, out=e))
    return out if rgb else out[..., ::-1].copy()


def _luminance(e: np.ndarray, weights: np.ndarray) -> np.ndarray:
    w = weights.astype(np.float32)
    lum = e[..., 0] * w[0]
    lum += e[..., 1] * w[1]
    lum += e[..., 2] * w[2]
    return lum


def _fit_gamut(e: np.ndarray) -> None:
    """In place: pixels with a component below 0 or above 1 moved toward their own BT.709 luminance
    (grey of the same light) just far enough to fit; hue and luminance stay."""
    lo = np.minimum(np.minimum(e[..., 0], e[..., 1]), e[..., 2])
    hi = np.maximum(np.maximum(e[..., 0], e[..., 1]), e[..., 2])
    bad = (lo < 0) | (hi > 1)
    if not bad.any():
        return
    px = e[bad].astype(np.float64)
    lum = np.clip(px @ _LUMA_709, 0.0, 1.0)[:, None]
    lo, hi = px.min(1, keepdims=True), px.max(1, keepdims=True)
    s = np.ones_like(lum)
    under, over = lo < 0, hi > 1
    np.divide(lum, lum - lo, out=s, where=under)
    s_over = np.ones_like(lum)
    np.divide(1 - lum, hi - lum, out=s_over, where=over)
    s = np.clip(np.minimum(s, s_over), 0.0, 1.0)
    e[bad] = np.clip(lum + (px - lum) * s, 0.0, 1.0).astype(np.float32)
