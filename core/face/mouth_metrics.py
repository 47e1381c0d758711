"""Mouth measurements from MediaPipe landmarks, normalised so they compare across faces and zoom.

The opening is the mean vertical gap between the upper and lower inner lip over five point
pairs around the centre, divided by the distance between the outer eye corners (a face size that
does not change when the jaw moves, unlike face height).
"""

from __future__ import annotations

import numpy as np

# (upper inner lip, lower inner lip) pairs, centre and either side.
INNER_LIP_PAIRS: tuple[tuple[int, int], ...] = ((13, 14), (82, 87), (312, 317), (81, 178), (311, 402))
EYE_OUTER_CORNERS: tuple[int, int] = (33, 263)
MOUTH_CORNERS: tuple[int, int] = (61, 291)


def face_size(landmarks: np.ndarray, corners: tuple[int, int] = EYE_OUTER_CORNERS) -> np.ndarray:
    """Outer-eye-corner distance [...] in the landmarks' units (x, y only); `corners` are where
    the two corners sit when only some points were gathered."""
    a, b = corners
    return np.linalg.norm(landmarks[..., a, :2] - landmarks[..., b, :2], axis=-1)


def mouth_opening(landmarks: np.ndarray) -> np.ndarray:
    """Inner-lip gap / face size: landmarks [N, 468 or 478, 2 or 3] -> [N] float32 (about 0..0.6).

    Works on any leading shape ([..., P, C] -> [...]); frames whose landmarks are NaN give NaN.
    """
    landmarks = np.asarray(landmarks)
    if landmarks.ndim < 2 or landmarks.shape[-2] < 468 or landmarks.shape[-1] not in (2, 3):
        raise ValueError(f"expected landmarks [..., 468|478, 2|3], got shape {landmarks.shape}")
    # only the 12 points used are converted to float64 (a clip's whole mesh is megabytes)
    used = np.array(
        [u for u, _ in INNER_LIP_PAIRS] + [d for _, d in INNER_LIP_PAIRS] + list(EYE_OUTER_CORNERS)
    )
    pts = landmarks[..., used, :2].astype(np.float64)
    k = len(INNER_LIP_PAIRS)
    gap = np.linalg.norm(pts[..., :k, :] - pts[..., k : 2 * k, :], axis=-1).mean(axis=-1)
    eyes = np.linalg.norm(pts[..., 2 * k, :] - pts[..., 2 * k + 1, :], axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (gap / eyes).astype(np.float32)


def mouth_width(landmarks: np.ndarray) -> np.ndarray:
    """Mouth-corner distance / face size [...] (spreads for 'ee', narrows for 'oo')."""
    pts = np.asarray(landmarks, dtype=np.float64)
    a, b = MOUTH_CORNERS
    width = np.linalg.norm(pts[..., a, :2] - pts[..., b, :2], axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (width / face_size(pts)).astype(np.float32)


def reference_frames(opening: np.ndarray, usable: np.ndarray, count: int) -> np.ndarray:
    """The one reference picker: frames spanning closed to open mouth [count] int64.

    The usable frames sorted by opening are cut into `count` equal bins (closed -> open); each
    bin gives its median frame, so no single glitch is chosen. Training picks its references
    here (over its training frames), `dhstudio prepare` its candidates, a loop without trained
    references (tests, benchmarks) its own.
    """
    opening = np.asarray(opening, np.float64)
    idx = np.flatnonzero(np.asarray(usable, bool) & np.isfinite(opening))
    if len(idx) < count:
        raise ValueError(f"{len(idx)} usable frames, {count} references wanted")
    order = idx[np.argsort(opening[idx], kind="stable")]
    return np.array([b[len(b) // 2] for b in np.array_split(order, count)], np.int64)
