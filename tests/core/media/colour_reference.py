"""The exact colour conversions, in float64 per pixel, for checking the fast routes of
core.media.yuv and core.media.tonemap against: the same definitions (matrix and range, chroma
repeated over the pixels it covers, BT.2100 transfers, BT.2390's EETF, the hue-keeping gamut fit,
BT.1886's inverse EOTF), no tables, no fixed point, rounded once at the end."""

from __future__ import annotations

import numpy as np

from core.media import tonemap
from core.media.colour import FrameColour
from core.media.yuv import yuv_to_rgb_affine


def upsample(c: np.ndarray, h: int, w: int) -> np.ndarray:
    """A chroma plane repeated to [h, w] (nearest: each luma pixel takes the sample covering it)."""
    rows = (np.arange(h) * c.shape[0]) // h
    cols = (np.arange(w) * c.shape[1]) // w
    return c[rows][:, cols]


def rgb_signal(y, cb, cr, matrix: str, full_range: bool, bits: int) -> np.ndarray:
    """R'G'B' float64 [H, W, 3], 1.0 = white, unclipped."""
    h, w = y.shape
    ycc = np.stack([y, upsample(cb, h, w), upsample(cr, h, w)], -1).astype(np.float64)
    m = yuv_to_rgb_affine(matrix, full_range, bits)
    return ycc @ m[:, :3].T + m[:, 3]


def sdr_rgb8(y, cb, cr, matrix: str, full_range: bool, bits: int) -> np.ndarray:
    """uint8 RGB of an SDR BT.709-primaries frame: the matrix and range only."""
    return np.clip(np.round(rgb_signal(y, cb, cr, matrix, full_range, bits) * 255.0), 0, 255).astype(np.uint8)


def mapped_rgb8(y, cb, cr, colour: FrameColour, peak: float | None = None) -> np.ndarray:
    """uint8 RGB of an HDR or wide-gamut frame, tone-mapped and gamut-mapped to BT.709 SDR."""
    tf = tonemap.TRANSFERS[colour.transfer]
    peak = float(peak or tf.default_peak)
    e = np.clip(rgb_signal(y, cb, cr, colour.matrix, colour.full_range, colour.bits), 0.0, 1.0)
    lin = tf.to_linear(e)
    lum = lin @ tonemap._LUMA_OF[colour.primaries]
    lin = lin * tf.gain(lum, peak)[..., None]
    lin = lin @ tonemap._TO_709[colour.primaries].T
    lin = fit_gamut(lin)
    return np.round(255.0 * np.power(lin, 1 / 2.4)).astype(np.uint8)


def fit_gamut(lin: np.ndarray) -> np.ndarray:
    """Each pixel with a component outside [0, 1] moved toward its BT.709 luminance just far
    enough to fit (hue and luminance kept)."""
    lum = np.clip(lin @ tonemap._LUMA_709, 0.0, 1.0)[..., None]
    lo, hi = lin.min(-1, keepdims=True), lin.max(-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.minimum(np.where(lo < 0, lum / (lum - lo), 1.0), np.where(hi > 1, (1 - lum) / (hi - lum), 1.0))
    s = np.clip(np.nan_to_num(s, nan=1.0), 0.0, 1.0)
    return np.clip(lum + (lin - lum) * s, 0.0, 1.0)
