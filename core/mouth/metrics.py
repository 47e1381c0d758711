"""Held-out quality of predicted mouths, measured pose-free: mouth-opening correlation and LMD.

Both figures compare mouths in the mouth space's canonical (frontalised) frame, never in the image:
there the opening of a fixed mouth still changes as the head nods or turns (foreshortening and the
2-D face size), so a constant mouth scored r 0.2-0.3 on real clips through head motion alone. Here
the opening is the inner-lip gap over the canonical face size (the reference's eye-corner distance,
the same for every frame), so a constant mouth has a constant opening and r is undefined (NaN).
LMD is the 2-D distance between the predicted and the tracked canonical mouth points, converted to
each frame's crop pixels (crop pixels per image pixel / canonical units per image pixel).
"""

from __future__ import annotations

import numpy as np

from core.face.mouth_metrics import EYE_OUTER_CORNERS, INNER_LIP_PAIRS
from core.metrics.correlation import pearson
from core.mouth.space import MouthSpace, anchor_vertices, fit_similarity


def predicted_landmarks(space: MouthSpace, coeffs: np.ndarray, tracked: np.ndarray) -> np.ndarray:
    """Tracked landmarks [N, 478, 3] with the mouth + jaw replaced by the prediction (image pixels)."""
    pose = space.pose(tracked)
    out = np.array(tracked, np.float64, copy=True)
    out[:, space.vertices] = space.to_image(space.decode(coeffs), pose)
    return out


def canonical_face_size(space: MouthSpace) -> float:
    """Outer-eye-corner distance of the space's canonical anchor shape (x, y)."""
    a, b = (int(np.flatnonzero(space.anchors == v)[0]) for v in EYE_OUTER_CORNERS)
    return float(np.linalg.norm(space.reference[a, :2] - space.reference[b, :2]))


def canonical_opening(space: MouthSpace, mouth: np.ndarray) -> np.ndarray:
    """Canonical mouth points [N, V, 3] (space.vertices order) -> inner-lip gap / face size [N]."""
    col = {int(v): i for i, v in enumerate(space.vertices)}
    up = [col[u] for u, _ in INNER_LIP_PAIRS]
    lo = [col[d] for _, d in INNER_LIP_PAIRS]
    pts = np.asarray(mouth, np.float64)
    gap = np.linalg.norm(pts[:, up, :2] - pts[:, lo, :2], axis=-1).mean(axis=-1)
    return gap / canonical_face_size(space)


def opening_in_frame(reference: np.ndarray, tracked: np.ndarray) -> np.ndarray:
    """`tracked_opening` in the canonical frame of an anchor shape (`space.canonical_reference`),
    posing only the inner-lip points: the same values without fitting a mouth space (prepare's
    sound timing needs nothing else)."""
    anchors = anchor_vertices()
    tracked = np.asarray(tracked, np.float64)
    pose = fit_similarity(tracked[:, anchors], reference)
    up = [u for u, _ in INNER_LIP_PAIRS]
    lo = [d for _, d in INNER_LIP_PAIRS]
    pts = pose.apply(tracked[:, up + lo])
    gap = np.linalg.norm(pts[:, : len(up), :2] - pts[:, len(up) :, :2], axis=-1).mean(axis=-1)
    a, b = (int(np.flatnonzero(anchors == v)[0]) for v in EYE_OUTER_CORNERS)
    return gap / float(np.linalg.norm(reference[a, :2] - reference[b, :2]))


def tracked_opening(space: MouthSpace, tracked: np.ndarray) -> np.ndarray:
    """The tracked mouth's pose-free opening [N] (landmarks [N, 478, 3] image pixels): what every
    predicted opening is scored against (`mouth_scores`) and what sound is timed against (`av_sync`)."""
    return canonical_opening(space, space.canonical(tracked))


def mouth_scores(space: MouthSpace, coeffs: np.ndarray, tracked: np.ndarray, crop_scale: np.ndarray) -> dict:
    """Pose-free r of mouth opening (predicted vs tracked) and LMD in crop pixels over the given frames.

    coeffs [N, K] in `space`; tracked [N, 478, 3] image pixels; crop_scale [N] crop px per image px.
    """
    pose = space.pose(tracked)
    true = space.canonical(tracked, pose)  # [N, V, 3]
    pred = space.decode(coeffs)  # [N, V, 3]
    px = np.asarray(crop_scale, np.float64) / pose.scale  # crop pixels per canonical unit
    dist = np.linalg.norm(pred[..., :2] - true[..., :2], axis=-1).mean(axis=1) * px
    o_pred, o_true = canonical_opening(space, pred), canonical_opening(space, true)
    return {
        "mouth_r": pearson(o_pred, o_true),
        "lmd_px": float(dist.mean()) if len(dist) else float("nan"),
        "lmd_per_frame": dist,
        "opening_pred": o_pred,
        "opening_true": o_true,
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
