"""Landmark distance (LMD): how far predicted lip/mouth landmarks lie from the true ones."""

from __future__ import annotations

import numpy as np


def landmark_distance(pred: np.ndarray, true: np.ndarray, points: np.ndarray | None = None) -> np.ndarray:
    """Per-frame mean 2-D Euclidean distance ``[N]`` between landmark tracks ``[N, P, >=2]``.

    ``points`` selects the landmarks compared (all when None). Units are those of the tracks
    (image pixels for MediaPipe tracks); a frame missing in either track (NaN) gives NaN, so callers
    choose whether to skip or propagate it.
    """
    p, t = np.asarray(pred, np.float64), np.asarray(true, np.float64)
    if points is not None:
        p, t = p[:, points], t[:, points]
    return np.linalg.norm(p[..., :2] - t[..., :2], axis=-1).mean(axis=1)
