"""Held-out quality of predicted mouths: mouth-opening correlation and landmark distance (LMD)."""

from __future__ import annotations

import numpy as np

from core.face.mouth_metrics import mouth_opening
from core.metrics.correlation import pearson
from core.metrics.landmarks import landmark_distance
from core.mouth.space import MouthSpace


def predicted_landmarks(space: MouthSpace, coeffs: np.ndarray, tracked: np.ndarray) -> np.ndarray:
    """Tracked landmarks [N, 478, 3] with the mouth + jaw replaced by the prediction (image pixels)."""
    pose = space.pose(tracked)
    out = np.array(tracked, np.float64, copy=True)
    out[:, space.vertices] = space.to_image(space.decode(coeffs), pose)
    return out


def mouth_scores(space: MouthSpace, coeffs: np.ndarray, tracked: np.ndarray, crop_scale: np.ndarray) -> dict:
    """r of mouth opening (predicted vs tracked) and LMD in crop pixels over the given frames."""
    pred = predicted_landmarks(space, coeffs, tracked)
    dist = landmark_distance(pred, tracked, space.vertices)
    return {
        "mouth_r": pearson(mouth_opening(pred), mouth_opening(tracked)),
        "lmd_px": float((dist * crop_scale).mean()),
        "opening_pred": mouth_opening(pred),
        "opening_true": mouth_opening(tracked),
    }


def opening_plot(pred: np.ndarray, true: np.ndarray, size: tuple[int, int] = (360, 120)) -> np.ndarray:
    """A small RGB chart of predicted (orange) vs tracked (white) mouth opening, for previews."""
    import cv2

    w, h = size
    img = np.full((h, w, 3), 30, np.uint8)
    both = np.concatenate([np.asarray(pred, np.float64), np.asarray(true, np.float64)])
    both = both[np.isfinite(both)]
    if both.size < 2 or len(true) < 2:
        return img
    lo, hi = float(both.min()), float(both.max())
    span = max(hi - lo, 1e-6)
    for series, colour in ((true, (235, 235, 235)), (pred, (255, 150, 40))):
        s = np.nan_to_num(np.asarray(series, np.float64), nan=lo)
        xs = np.linspace(4, w - 5, len(s))
        ys = h - 5 - (s - lo) / span * (h - 10)
        pts = np.stack([xs, ys], axis=1).round().astype(np.int32)
        cv2.polylines(img, [pts], False, colour, 1, cv2.LINE_AA)
    return img
