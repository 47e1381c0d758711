"""Mouth space: pose removal, PCA reconstruction, explained variance, round trip."""

from __future__ import annotations

import numpy as np
import pytest

from core.face.mouth_metrics import mouth_opening
from core.face.topology import frontal_layout
from core.mouth.space import MouthSpace, anchor_vertices, fit_similarity, mouth_vertices


def _rotation(rng: np.random.Generator) -> np.ndarray:
    q, r = np.linalg.qr(rng.normal(size=(3, 3)))
    q = q * np.sign(np.diag(r))
    if np.linalg.det(q) < 0:
        q[:, 0] *= -1
    small = np.eye(3) + 0.15 * (q - np.eye(3))  # a moderate head turn
    u, _, vt = np.linalg.svd(small)
    return u @ vt


def synthetic_faces(n: int = 80, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Frontal faces whose jaw opens by a known amount, then moved, turned and scaled per frame."""
    rng = np.random.default_rng(seed)
    base = np.asarray(frontal_layout(), np.float64) * 200.0
    verts = mouth_vertices()
    lower = verts[base[verts, 1] > base[14, 1] - 1e-6]  # lower lip and jaw
    opening = rng.uniform(0, 1, n)
    faces = np.repeat(base[None], n, axis=0)
    faces[:, lower, 1] += opening[:, None] * 12.0
    faces[:, 61, 0] -= opening * 2.0  # a second, independent-ish mode: corners
    out = np.empty_like(faces)
    for i in range(n):
        out[i] = rng.uniform(0.7, 1.4) * faces[i] @ _rotation(rng).T + rng.normal(0, 40, 3)
    return out.astype(np.float32), opening


def test_anchor_and_mouth_sets_are_disjoint_and_named():
    m, a = mouth_vertices(), anchor_vertices()
    assert len(np.intersect1d(m, a)) == 0
    assert {13, 14, 61, 291, 152}.issubset(set(m.tolist()))  # inner lips, corners, chin
    assert len(a) >= 20


def test_similarity_fit_recovers_a_known_transform():
    rng = np.random.default_rng(1)
    src = rng.normal(size=(1, 30, 3))
    rot = _rotation(rng)
    dst = 1.7 * src[0] @ rot.T + np.array([3.0, -2.0, 5.0])
    pose = fit_similarity(src, dst)
    np.testing.assert_allclose(pose.apply(src)[0], dst, atol=1e-9)
    np.testing.assert_allclose(pose.invert(pose.apply(src)), src, atol=1e-9)
    assert pose.scale[0] == pytest.approx(1.7)


def test_pca_removes_pose_and_captures_the_opening():
    faces, opening = synthetic_faces()
    space = MouthSpace.fit(faces, k=6)
    assert space.k == 6 and space.basis.shape == (6, 3 * len(space.vertices))
    np.testing.assert_allclose(space.basis @ space.basis.T, np.eye(6), atol=1e-5)
    ev = space.explained_variance_ratio
    assert ev[0] > 0.95 and np.all(np.diff(ev) <= 1e-9) and ev.sum() <= 1.0 + 1e-6
    coeffs = space.encode(faces)
    assert abs(np.corrcoef(coeffs[:, 0], opening)[0, 1]) > 0.999  # pose and scale are gone
    recon = space.to_image(space.decode(coeffs), space.pose(faces))
    assert np.abs(recon - faces[:, space.vertices]).max() < 0.05  # pixels


def test_truncation_error_shrinks_with_k_on_tracked_landmarks(demo_clip):
    from core.face.prepared import PreparedClip

    clip = PreparedClip.load(demo_clip)
    lm = clip.landmarks[clip.valid]
    errors = []
    for k in (1, 3, 6):
        space = MouthSpace.fit(lm, k=k)
        recon = space.to_image(space.decode(space.encode(lm)), space.pose(lm))
        errors.append(np.linalg.norm(recon[..., :2] - lm[:, space.vertices, :2], axis=-1).mean())
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < 0.5  # pixels on a 256 px frame
    space = MouthSpace.fit(lm, k=6)
    full = lm.copy()
    full[:, space.vertices] = space.to_image(space.decode(space.encode(lm)), space.pose(lm))
    assert np.corrcoef(mouth_opening(full), mouth_opening(lm))[0, 1] > 0.99


def test_round_trip_through_a_checkpoint_dict():
    faces, _ = synthetic_faces(30)
    space = MouthSpace.fit(faces, k=4)
    again = MouthSpace.from_dict(space.to_dict())
    np.testing.assert_array_equal(again.basis, space.basis)
    np.testing.assert_allclose(again.encode(faces), space.encode(faces), atol=1e-5)


def test_too_few_frames_is_refused():
    faces, _ = synthetic_faces(5)
    with pytest.raises(ValueError, match="valid frames"):
        MouthSpace.fit(faces, k=6)
