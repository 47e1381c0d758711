"""The mouth shape map: DINet's driving image, drawn from lip contours in the face-crop frame.

One channel at face-crop size, values in [0, 1]: background 0, lip band (between the outer and
inner lip contours) `LIP`, mouth interior `INTERIOR`, optional teeth band (the upper part of
the interior) `TEETH`. Edges carry exact area coverage (4x supersampled), so sub-pixel lip
motion changes the map smoothly. Training
draws it from tracked landmarks, inference from landmarks reconstructed from the audio
model's mouth coefficients, so both go through `draw_mouth_shape_map`.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from core.face.topology import LIPS_INNER, LIPS_OUTER
from core.lipsync.geometry import CropGeometry

LIP = 1.0
INTERIOR = 0.4
TEETH = 0.7
_SHIFT = 4  # cv2 fixed-point bits: polygon vertices at 1/16 pixel
_SUPERSAMPLE = 4


@dataclass(frozen=True)
class ShapeMapStyle:
    """How the map is drawn; `teeth_fraction` 0 disables the teeth band."""

    lip: float = LIP
    interior: float = INTERIOR
    teeth: float = TEETH
    teeth_fraction: float = 0.35


def _fill(poly: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Area coverage [H, W] float32 in [0, 1] of a polygon in pixel coordinates.

    Coordinates are continuous (pixel i spans [i, i + 1]). Drawn at `_SUPERSAMPLE` x resolution
    and area-averaged down: cv2's LINE_AA fill dilates shapes by about half a pixel, which
    would bias the lip thickness at small mouth sizes.
    """
    h, w = size
    canvas = np.zeros((h * _SUPERSAMPLE, w * _SUPERSAMPLE), np.uint8)
    pts = np.round((poly * _SUPERSAMPLE - 0.5) * (1 << _SHIFT)).astype(np.int32)  # cv2: centres at integers
    cv2.fillPoly(canvas, [pts.reshape(-1, 1, 2)], 255, lineType=cv2.LINE_8, shift=_SHIFT)
    small = cv2.resize(canvas.astype(np.float32), (w, h), interpolation=cv2.INTER_AREA)
    return small / 255.0


def _check_polygon(name: str, poly: np.ndarray) -> np.ndarray:
    poly = np.asarray(poly, dtype=np.float64)
    if poly.ndim != 2 or poly.shape[1] != 2 or poly.shape[0] < 3:
        raise ValueError(f"{name} must be an ordered polygon [K>=3, 2], got shape {poly.shape}")
    if not np.isfinite(poly).all():
        raise ValueError(f"{name} has non-finite coordinates")
    return poly


def draw_mouth_shape_map(
    outer: np.ndarray,
    inner: np.ndarray,
    size: tuple[int, int] | CropGeometry,
    style: ShapeMapStyle = ShapeMapStyle(),
) -> np.ndarray:
    """Driving image [H, W] float32 in [0, 1].

    outer: [K, 2] outer lip contour (x, y) in crop pixels, ordered around the contour.
    inner: [L, 2] inner lip contour, same frame. size: (H, W) or a CropGeometry (its crop size).
    """
    hw = size.crop_size if isinstance(size, CropGeometry) else (int(size[0]), int(size[1]))
    outer = _check_polygon("outer", outer)
    inner = _check_polygon("inner", inner)
    lips = _fill(outer, hw)
    mouth = _fill(inner, hw)
    out = lips * style.lip
    out = out * (1.0 - mouth) + mouth * style.interior
    if style.teeth_fraction > 0:
        y_top, y_bot = inner[:, 1].min(), inner[:, 1].max()
        cut = y_top + style.teeth_fraction * (y_bot - y_top)
        rows = np.arange(hw[0], dtype=np.float32)[:, None]
        band = np.clip(cut - rows, 0.0, 1.0)  # 1 above the cut, linear over the cut's pixel
        teeth = mouth * band
        out = out * (1.0 - teeth) + teeth * style.teeth
    return np.clip(out, 0.0, 1.0).astype(np.float32)


def shape_map_from_landmarks(
    landmarks: np.ndarray,
    size: tuple[int, int] | CropGeometry,
    style: ShapeMapStyle = ShapeMapStyle(),
) -> np.ndarray:
    """Shape map from MediaPipe's 478 (or 468) landmarks [N, 2+] already in crop pixels.

    Picks the ordered outer/inner lip contours (`core.face.topology.LIPS_OUTER/INNER`); extra
    columns (z) are ignored.
    """
    pts = np.asarray(landmarks, dtype=np.float64)
    if pts.ndim != 2 or pts.shape[0] < 468 or pts.shape[1] < 2:
        raise ValueError(f"landmarks must be [478, 2] (MediaPipe face mesh), got shape {pts.shape}")
    return draw_mouth_shape_map(pts[list(LIPS_OUTER), :2], pts[list(LIPS_INNER), :2], size, style)
