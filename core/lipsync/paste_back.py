"""Put a rendered mouth back into the full frame: feathered mask, colour matching, exact elsewhere.

The renderer returns the whole face crop, but only the mouth box was hidden from it, so only
the mouth box is pasted: an alpha mask that is 1 in the middle of the box and falls smoothly
to 0 at its edges (a rounded rectangle, `feather` of the mouth size wide). Before blending,
the render's colour is matched to the frame on the feather band (a per-channel gain and offset
from the band's mean and spread, clamped), so lighting drift in the render cannot draw a
rectangle. Pixels where the mask is 0 are copied from the frame bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from core.face.crops import cut_crop
from core.lipsync.geometry import CropGeometry


@dataclass(frozen=True)
class PasteSettings:
    feather: float = 0.22  # fraction of the mouth size over which the mask falls from 1 to 0
    color_match: bool = True
    max_gain: float = 1.25  # clamp of the per-channel contrast correction


def _ramp(n: int, lo: int, hi: int, width: float) -> np.ndarray:
    """1-D profile over [0, n): 0 outside [lo, hi), rising smoothly to 1 within `width` of each edge."""
    x = np.arange(n, dtype=np.float32) + 0.5
    d = np.minimum(x - lo, hi - x)
    t = np.clip(d / max(width, 1e-6), 0.0, 1.0)
    return (t * t * (3.0 - 2.0 * t)).astype(np.float32)  # smoothstep


def mouth_alpha(geometry: CropGeometry, settings: PasteSettings = PasteSettings()) -> np.ndarray:
    """Alpha [H, W] float32 in the crop frame: 0 outside the mouth box, 1 inside its core."""
    h, w = geometry.crop_size
    top, left, mh, mw = geometry.mouth_box
    width = settings.feather * geometry.mouth_size
    return np.outer(_ramp(h, top, top + mh, width), _ramp(w, left, left + mw, width))


def match_colors(
    render: np.ndarray, band: np.ndarray, max_gain: float, original_stats: tuple[np.ndarray, np.ndarray]
) -> np.ndarray:
    """render float32 [H, W, 3] adjusted per channel so its statistics on `band` (flat pixel
    indices, `band_pixels`) equal the original crop's (mean, std) there (`band_stats`: the same
    loop frame is pasted again and again, so its statistics are computed once)."""
    if band.size < 8:
        return render
    r = render.reshape(-1, 3)[band]
    o_mean, o_std = original_stats
    gain = np.clip(o_std / np.maximum(r.std(0), 1e-3), 1.0 / max_gain, max_gain)
    return (render - r.mean(0)) * gain + o_mean


def band_pixels(alpha: np.ndarray) -> np.ndarray:
    """Flat indices of the colour-matching band of a crop-frame alpha: where the mask falls off."""
    return np.flatnonzero((alpha > 0.02) & (alpha < 0.6))


def band_stats(original: np.ndarray, band: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel (mean, std) of the crop `original` [H, W, 3] (BGR, 0..255) on `band` (flat indices)."""
    o = original.reshape(-1, 3)[band].astype(np.float32)
    return o.mean(0), o.std(0)


def paste_mouth(
    frame: np.ndarray,
    render_rgb: np.ndarray,
    box: np.ndarray,
    geometry: CropGeometry,
    settings: PasteSettings = PasteSettings(),
    alpha: np.ndarray | None = None,
    original_stats: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(new frame, frame-space alpha [H, W]).

    frame: BGR uint8 [H, W, 3]; render_rgb: the rendered crop, RGB float in [0, 1] [h, w, 3];
    box: the frame's face box (x0, y0, x1, y1) the crop was cut from; original_stats: the
    frame's crop statistics on the colour band (`band_stats`), when the caller keeps them.
    The blend runs in OpenCV (one pass for multiply, one for add + round + clip + masked write:
    the same float32 arithmetic and rounding as NumPy's, a third of the CPU time).
    """
    alpha = mouth_alpha(geometry, settings) if alpha is None else alpha
    render = render_rgb[..., ::-1].astype(np.float32) * 255.0  # BGR, 0..255
    if settings.color_match:
        band = band_pixels(alpha)
        if band.size >= 8:
            if original_stats is None:
                original_stats = band_stats(cut_crop(frame, box, geometry.crop_size), band)
            render = match_colors(render, band, settings.max_gain, original_stats)
    placed = _placement(frame.shape[:2], box, geometry)
    out = frame.copy()
    frame_alpha = np.zeros(frame.shape[:2], np.float32)
    if placed is None:
        return out, frame_alpha
    m, (rx0, ry0, rx1, ry1) = placed
    size = (rx1 - rx0, ry1 - ry0)
    warped = cv2.warpAffine(render, m, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    a = _warp_alpha(alpha, m, size)
    frame_alpha[ry0:ry1, rx0:rx1] = a
    # blend only the bounding box of the mask (the mouth box and its feather, about half the face
    # box): outside it the mask is 0 and the frame is kept as is, so the result is the same
    rows, cols = np.flatnonzero(a.any(axis=1)), np.flatnonzero(a.any(axis=0))
    if rows.size == 0:
        return out, frame_alpha
    ys, xs = slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1)
    a = a[ys, xs]
    a3 = cv2.merge((a, a, a))
    target = out[ry0:ry1, rx0:rx1][ys, xs]  # a view into `out`
    # target * (1 - a) + warped * a, rounded half to even, clipped to 0..255, written where a > 0
    kept = cv2.multiply(target, cv2.subtract(1.0, a3), dtype=cv2.CV_32F)
    drawn = cv2.multiply(warped[ys, xs], a3)
    cv2.add(kept, drawn, dst=target, mask=(a > 0).view(np.uint8), dtype=cv2.CV_8U)
    return out, frame_alpha


def frame_alpha(
    frame_shape: tuple[int, ...],
    box: np.ndarray,
    geometry: CropGeometry,
    settings: PasteSettings = PasteSettings(),
    alpha: np.ndarray | None = None,
) -> np.ndarray:
    """The frame-space alpha [H, W] `paste_mouth` blends with (for measuring a paste, see
    `core.metrics.paste`), without rendering or pasting anything."""
    alpha = mouth_alpha(geometry, settings) if alpha is None else alpha
    out = np.zeros(frame_shape[:2], np.float32)
    placed = _placement(frame_shape[:2], box, geometry)
    if placed is not None:
        m, (rx0, ry0, rx1, ry1) = placed
        out[ry0:ry1, rx0:rx1] = _warp_alpha(alpha, m, (rx1 - rx0, ry1 - ry0))
    return out


def _placement(
    frame_hw: tuple[int, ...], box: np.ndarray, geometry: CropGeometry
) -> tuple[np.ndarray, tuple[int, int, int, int]] | None:
    """(crop -> ROI affine [2, 3], ROI (x0, y0, x1, y1) in the frame), or None when off-frame."""
    fh, fw = frame_hw[:2]
    x0, y0, x1, y1 = (float(v) for v in box)
    rx0, ry0 = max(int(np.floor(x0)), 0), max(int(np.floor(y0)), 0)
    rx1, ry1 = min(int(np.ceil(x1)) + 1, fw), min(int(np.ceil(y1)) + 1, fh)
    if rx1 <= rx0 or ry1 <= ry0:
        return None
    ch, cw = geometry.crop_size
    sx, sy = (x1 - x0) / cw, (y1 - y0) / ch
    # crop pixel (u, v) -> frame pixel (x0 + u * sx, y0 + v * sy), then shifted into the ROI
    m = np.array([[sx, 0.0, x0 - rx0], [0.0, sy, y0 - ry0]], np.float64)
    return m, (rx0, ry0, rx1, ry1)


def _warp_alpha(alpha: np.ndarray, m: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    a = cv2.warpAffine(
        alpha, m, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0.0
    )
    a = np.clip(a, 0.0, 1.0)
    a[a < 1e-3] = 0.0
    return a
