"""The colour conversions as they were before the fast routes (commit 184ba4a), kept for
bench_decode_colour.py only: the timing baseline of the same run. Not used by the studio."""

# ruff: noqa

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from core.media.colour import FrameColour
from core.media.colour import MATRICES

from core.media.tonemap import (  # unchanged by the fast routes: shared, not copied
    SDR_WHITE_NITS,
    HLG_DISPLAY_PEAK,
    PQ_DEFAULT_PEAK,
    PQ_MAX_NITS,
    _IN_LUT,
    _GAIN_LUT,
    _TO_709,
    _LUMA_2020,
    _LUMA_709,
    _LUMA_P3,
    _LUMA_OF,
    hlg_inverse_oetf,
    hlg_oetf,
    pq_eotf,
    pq_inverse_eotf,
    bt2390_eetf,
    Transfer,
    _hlg_gain,
    _pq_gain,
    _sdr_gain,
    TRANSFERS,
)


@lru_cache(maxsize=16)
def _tables(transfer: str, peak: float) -> tuple[np.ndarray, np.ndarray]:
    """(signal -> linear [_IN_LUT], sqrt(Y) -> gain [_GAIN_LUT]), each sampled at its bins'
    centres: entry i serves x in [i / n, (i + 1) / n)."""
    tf = TRANSFERS[transfer]
    linear = tf.to_linear((np.arange(_IN_LUT) + 0.5) / _IN_LUT).astype(np.float32)
    root = (np.arange(_GAIN_LUT) + 0.5) / _GAIN_LUT
    gain = tf.gain(root * root, peak).astype(np.float32)
    return linear, gain


def _take(table: np.ndarray, scaled: np.ndarray) -> np.ndarray:
    """table[floor(scaled)], clamped to the table (truncation is the floor for scaled >= 0; below
    0 it gives 0 or a negative index, which the clamp sends to entry 0)."""
    return np.take(table, scaled.astype(np.int32), mode="clip")


def to_sdr_rgb8(
    y: np.ndarray,
    cb: np.ndarray,
    cr: np.ndarray,
    colour: FrameColour,
    rgb: bool = True,
    peak: float | None = None,
    workers: int | None = None,
) -> np.ndarray:
    """HDR or wide-gamut Y'CbCr planes -> BT.709 SDR uint8 [H, W, 3] (RGB, or BGR without `rgb`).

    `peak`: the source's peak luminance in cd/m^2 (PQ's mastering display or MaxCLL); None takes
    the transfer's nominal one. Per pixel in float32 planes (a 65^3 3D table through cv2.remap was
    tried: no faster here, and 6-9 levels off near black at the 99.9th percentile). Frames of
    half a megapixel and more are cut into `workers` bands of rows (default: half the CPUs, at
    most 4) converted on threads (NumPy and OpenCV release the GIL); every pixel is computed the
    same either way, so the result does not depend on the split.
    """
    peak = float(peak or TRANSFERS[colour.transfer].default_peak)
    h = y.shape[0]
    sub = h // cb.shape[0] if cb.shape[0] and h % cb.shape[0] == 0 else 0  # chroma rows per luma row
    n = _WORKERS if workers is None else max(1, workers)
    if n == 1 or y.size < BAND_MIN_PIXELS or not sub or (h // sub) < 2 * n:
        return _to_rgb8(_to_sdr_float(y, cb, cr, colour, peak), rgb)
    out = np.empty((*y.shape, 3), np.uint8)
    rows = h // sub  # chroma rows, cut evenly; a band is whole chroma rows
    cuts = [rows * i // n for i in range(n + 1)]

    def band(i: int) -> None:
        c0, c1 = cuts[i], cuts[i + 1]
        y0, y1 = c0 * sub, c1 * sub
        out[y0:y1] = _to_rgb8(_to_sdr_float(y[y0:y1], cb[c0:c1], cr[c0:c1], colour, peak), rgb)

    list(_pool(n).map(band, range(n)))
    return out


BAND_MIN_PIXELS = 512 * 1024  # smaller frames: one thread (the hand-over would cost more)
_WORKERS = max(1, min(4, (os.cpu_count() or 1) // 2))
_POOLS: dict[int, ThreadPoolExecutor] = {}
_POOLS_LOCK = threading.Lock()


def _pool(n: int) -> ThreadPoolExecutor:
    with _POOLS_LOCK:
        if n not in _POOLS:
            _POOLS[n] = ThreadPoolExecutor(max_workers=n, thread_name_prefix="tonemap")
        return _POOLS[n]


def _to_rgb8(planes: list[np.ndarray], rgb: bool) -> np.ndarray:
    out = [cv2.convertScaleAbs(c, alpha=255.0) for c in planes]  # 0..255 rounded, saturated
    return cv2.merge(out if rgb else out[::-1])


def _to_sdr_float(y: np.ndarray, cb: np.ndarray, cr: np.ndarray, colour: FrameColour, peak: float) -> list:
    """R, G, B float32 planes, BT.709 SDR signal 0..1, from Y'CbCr planes (any subsampling)."""
    lin_t, gain_t = _tables(colour.transfer, peak)
    # R'G'B' come out in table units (x len(lin_t)): the lookup is a cast and a take
    planes = [_take(lin_t, c) for c in yuv_to_rgb_planes(y, cb, cr, colour, scale=len(lin_t))]
    # luminance times len(gain_t)^2: its square root is the gain table's index
    lum = _mix(planes, _LUMA_OF[colour.primaries] * float(len(gain_t)) ** 2)
    gain = _take(gain_t, cv2.sqrt(lum))
    planes = [cv2.multiply(c, gain) for c in planes]
    if colour.primaries != "bt709":
        m = _TO_709[colour.primaries]
        planes = [_mix(planes, m[i]) for i in range(3)]
    _fit_gamut(planes)
    return [cv2.pow(c, 1 / 2.4) for c in planes]  # BT.1886's inverse EOTF (the planes are in [0, 1])


def yuv_to_rgb_planes(
    y: np.ndarray, cb: np.ndarray, cr: np.ndarray, colour: FrameColour, scale: float = 1.0
) -> list[np.ndarray]:
    """R', G', B' float32 [H, W] each, times `scale`; the chroma terms (with every offset) are
    computed at chroma size and repeated, and each channel is one fused pass over the luma."""
    m = yuv_to_rgb_affine(colour.matrix, colour.full_range, colour.bits) * scale
    h, w = y.shape
    yf = y.astype(np.float32)
    cbf, crf = cb.astype(np.float32), cr.astype(np.float32)
    out = []
    for c in range(3):
        term = np.float32(m[c, 1]) * cbf if m[c, 1] else np.zeros_like(cbf)
        if m[c, 2]:
            term += np.float32(m[c, 2]) * crf
        term += np.float32(m[c, 3])
        if term.shape != (h, w):
            term = cv2.resize(term, (w, h), interpolation=cv2.INTER_NEAREST)
        out.append(cv2.scaleAdd(yf, float(m[c, 0]), term))
    return out


def _mix(planes: list[np.ndarray], weights: np.ndarray) -> np.ndarray:
    """sum_i weights[i] * planes[i], float32 (OpenCV's fused, vectorised weighted sums)."""
    w = [float(x) for x in weights]
    out = cv2.addWeighted(planes[0], w[0], planes[1], w[1], 0.0)
    return cv2.scaleAdd(planes[2], w[2], out) if w[2] else out


def _fit_gamut(planes: list[np.ndarray]) -> None:
    """In place: pixels with a component below 0 or above 1 moved toward their own BT.709 luminance
    (grey of the same light) just far enough to fit; hue and luminance stay. Only those pixels are
    gathered and computed."""
    r, g, b = planes
    lo = cv2.min(cv2.min(r, g), b)
    hi = cv2.max(cv2.max(r, g), b)
    idx = np.flatnonzero((lo < 0) | (hi > 1))
    if not len(idx):
        return
    px = [p.ravel()[idx] for p in planes]
    lo, hi = lo.ravel()[idx], hi.ravel()[idx]
    lum = np.clip(px[0] * _LUMA_709[0] + px[1] * _LUMA_709[1] + px[2] * _LUMA_709[2], 0.0, 1.0)
    lum = lum.astype(np.float32)
    tiny = np.float32(1e-7)
    s = np.minimum(lum / np.maximum(lum - lo, tiny), (1 - lum) / np.maximum(hi - lum, tiny))
    np.clip(s, 0.0, 1.0, out=s)
    for p, v in zip(planes, px, strict=True):
        p.ravel()[idx] = np.clip(lum + (v - lum) * s, 0.0, 1.0)


# --- core.media.yuv before ---
from core.media.yuv import upsample_chroma, yuv_to_rgb_affine  # unchanged: shared


def yuv_to_rgb8(
    y: np.ndarray, cb: np.ndarray, cr: np.ndarray, matrix: str, full_range: bool, bits: int, rgb: bool
) -> np.ndarray:
    """uint8 [H, W, 3] RGB (BGR unless `rgb`) from planes, rounded once."""
    h, w = y.shape
    m = yuv_to_rgb_affine(matrix, full_range, bits) * 255.0
    if not rgb:
        m = m[::-1]
    ycc = cv2.merge([y, upsample_chroma(cb, h, w), upsample_chroma(cr, h, w)])
    out = cv2.transform(ycc, m)  # saturating, rounded to nearest
    if out.dtype != np.uint8:
        out = np.minimum(out, 255).astype(np.uint8)
    return out
