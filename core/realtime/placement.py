"""Where the face crop sits in each source frame: axis-aligned DINet face boxes.

A prepared clip stores its stabilised face boxes (`core.face.crops`), and training cut its
crops from them with `cut_crop`, so live rendering uses exactly those boxes. For a source loop
without a prepared clip (tests, benchmarks) `boxes_from_landmarks` builds the same kind of box
from tracked landmarks: a mouth box of `MOUTH_BOX_PER_FACE_WIDTH` x the cheek-to-cheek width
centred on the lips, grown to the face box by `face_box_from_mouth`, smoothed over time.
"""

from __future__ import annotations

import numpy as np

from core.face.crops import CHEEKS, MOUTH_BOX_PER_FACE_WIDTH, face_box_from_mouth
from core.face.topology import LIPS_OUTER


def _smooth(x: np.ndarray, window: int) -> np.ndarray:
    """Centred moving average along axis 0, edges held."""
    if window <= 1 or len(x) < 2:
        return x
    pad = window // 2
    padded = np.pad(x, [(pad, pad)] + [(0, 0)] * (x.ndim - 1), mode="edge")
    kernel = np.ones(window) / window
    return np.apply_along_axis(lambda v: np.convolve(v, kernel, mode="valid"), 0, padded)


def boxes_from_landmarks(landmarks: np.ndarray, smooth: int = 5) -> np.ndarray:
    """Face boxes [N, 4] (x0, y0, x1, y1, frame pixels) for landmarks [N, 478, 2+]."""
    lm = np.asarray(landmarks, np.float64)[..., :2]
    centre = _smooth(lm[:, list(LIPS_OUTER)].mean(axis=1), smooth)
    side = _smooth(
        MOUTH_BOX_PER_FACE_WIDTH * np.linalg.norm(lm[:, CHEEKS[1]] - lm[:, CHEEKS[0]], axis=1), smooth
    )
    half = side[:, None] / 2
    return face_box_from_mouth(np.concatenate([centre - half, centre + half], axis=1)).astype(np.float32)
