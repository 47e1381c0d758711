"""The mouth metrics compare mouths, not head poses: a nodding head with a fixed mouth scores nothing."""

from __future__ import annotations

import math

import numpy as np

from core.mouth.data import load_prepared
from core.mouth.metrics import mouth_scores
from core.mouth.space import MouthSpace


def _nod(landmarks: np.ndarray, angles: np.ndarray) -> np.ndarray:
    """Rotate each frame's landmarks [N, P, 3] about the x axis through their centroid (a nod)."""
    out = np.empty_like(landmarks, dtype=np.float64)
    for i, (pts, a) in enumerate(zip(landmarks.astype(np.float64), angles, strict=True)):
        c, s = math.cos(a), math.sin(a)
        rot = np.array([[1, 0, 0], [0, c, -s], [0, s, c]])
        centre = pts.mean(axis=0)
        out[i] = (pts - centre) @ rot.T + centre
    return out


def test_a_constant_mouth_on_a_nodding_head_has_no_opening_correlation(demo_clip):
    clip = load_prepared(demo_clip)
    lm = clip.landmarks[clip.valid]
    space = MouthSpace.fit(lm, 6)
    angles = 0.35 * np.sin(np.linspace(0, 6 * np.pi, len(lm)))  # +-20 degrees of pitch
    nodded = _nod(lm, angles)
    const = np.repeat(space.encode(lm).mean(axis=0, keepdims=True), len(lm), axis=0)
    scale = clip.crop_scale[clip.valid]
    still, nodding = mouth_scores(space, const, lm, scale), mouth_scores(space, const, nodded, scale)
    # image-space openings of a fixed mouth follow the nod; the pose-free ones do not move at all
    assert math.isnan(nodding["mouth_r"]) and math.isnan(still["mouth_r"])
    assert np.ptp(nodding["opening_pred"]) < 1e-9
    # the truth is the same mouth whatever the pose, so LMD is too
    assert np.allclose(nodding["opening_true"], still["opening_true"], atol=1e-6)
    assert abs(nodding["lmd_px"] - still["lmd_px"]) < 1e-3 * still["lmd_px"]
    # and the tracked mouth itself scores r = 1, LMD = the PCA's own reconstruction error
    own = mouth_scores(space, space.encode(nodded), nodded, scale)
    assert own["mouth_r"] > 0.99 and own["lmd_px"] < still["lmd_px"]


def test_the_opening_in_a_reference_frame_is_the_fitted_spaces_opening(demo_clip):
    """Prepare's sound timing skips the mouth space's PCA: same frame, same openings, nodding or not."""
    from core.mouth.metrics import opening_in_frame, tracked_opening
    from core.mouth.space import canonical_reference

    clip = load_prepared(demo_clip)
    lm = _nod(clip.landmarks[clip.valid], 0.3 * np.sin(np.linspace(0, 4 * np.pi, int(clip.valid.sum()))))
    space = MouthSpace.fit(lm, 1)
    reference = canonical_reference(lm)
    np.testing.assert_array_equal(reference, space.reference)
    fitted, lean = tracked_opening(space, lm), opening_in_frame(reference, lm)
    assert np.ptp(fitted) > 0.05 * fitted.mean()  # the demo's mouth moves
    np.testing.assert_allclose(lean, fitted, rtol=1e-12, atol=1e-15)
