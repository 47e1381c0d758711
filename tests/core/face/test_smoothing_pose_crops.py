import numpy as np
import pytest

from core.face import topology
from core.face.crops import crop_boxes, cut_crop, face_box_from_mouth
from core.face.pose import estimate_poses, nearest_valid, umeyama
from core.face.smoothing import fill_gaps, gaussian_smooth, one_euro, runs, smooth_landmarks
from core.lipsync.geometry import crop_geometry


def _face_track(n: int, fps: float = 25.0, seed: int = 0, yaw_deg=None) -> np.ndarray:
    """A moving frontal face [n, 478, 3] in pixels; the jaw opens with a 3 Hz 'speech' rhythm."""
    base = topology.frontal_layout().astype(np.float64) * 200.0
    base -= base[:468].mean(axis=0)
    t = np.arange(n) / fps
    lower = np.array(
        sorted(
            set(topology.region_vertices("jaw"))
            | set(topology.LIPS_INNER[1:10])
            | set(topology.LIPS_OUTER[1:10])
        )
    )
    out = np.repeat(base[None], n, axis=0)
    out[:, lower, 1] += (6 + 6 * np.sin(2 * np.pi * 3 * t))[:, None]
    if yaw_deg is not None:
        a = np.radians(yaw_deg)[:, None]
        x, z = out[..., 0].copy(), out[..., 2].copy()
        out[..., 0], out[..., 2] = np.cos(a) * x + np.sin(a) * z, -np.sin(a) * x + np.cos(a) * z
    out[..., 0] += 256 + 20 * np.sin(2 * np.pi * 0.3 * t)[:, None]
    out[..., 1] += 256
    return out.astype(np.float32)


def test_runs_and_fill_gaps():
    mask = np.array([0, 1, 1, 0, 0, 1, 0, 1, 1, 1], bool)
    assert runs(mask) == [(1, 3), (5, 6), (7, 10)]
    x = np.arange(10, dtype=np.float64)[:, None] * 2.0
    x[~mask] = -99
    filled = fill_gaps(x, mask)
    assert np.allclose(filled[:, 0], [2, 2, 4, 6, 8, 10, 12, 14, 16, 18])


def test_zero_lag_one_euro_keeps_the_mouth_timing_and_removes_jitter():
    fps, n = 25.0, 200
    rng = np.random.default_rng(1)
    track = _face_track(n, fps)
    noisy = track + rng.normal(0, 0.6, track.shape).astype(np.float32)
    smooth = smooth_landmarks(noisy, np.ones(n, bool), fps)
    rigid = [1, 4, 33, 263, 168]
    assert (
        np.abs(smooth[:, rigid] - track[:, rigid]).mean()
        < 0.6 * np.abs(noisy[:, rigid] - track[:, rigid]).mean()
    )
    gap_true = track[:, 14, 1] - track[:, 13, 1]
    gap = smooth[:, 14, 1] - smooth[:, 13, 1]
    lags = range(-3, 4)
    r = [np.corrcoef(np.roll(gap, k)[5:-5], gap_true[5:-5])[0, 1] for k in lags]
    assert lags[int(np.argmax(r))] == 0 and max(r) > 0.97  # no lag, shape kept
    assert np.ptp(gap[20:-20]) > 0.85 * np.ptp(gap_true[20:-20])  # peaks not flattened
    causal = one_euro(noisy[:, [14]].astype(np.float64), fps, np.array([1.0]), np.array([0.0]), 1.0)
    r_causal = [np.corrcoef(np.roll(causal[:, 0, 1], k)[5:-5], track[5:-5, 14, 1])[0, 1] for k in lags]
    assert lags[int(np.argmax(r_causal))] < 0  # the plain causal filter does lag


def test_gaussian_smooth_preserves_constants_and_length():
    x = np.full((30, 2), 3.0)
    assert np.allclose(gaussian_smooth(x, 4.0), 3.0)
    assert gaussian_smooth(np.arange(5.0), 2.0).shape == (5,)


def test_umeyama_recovers_a_batch_of_similarities():
    rng = np.random.default_rng(2)
    src = rng.normal(size=(50, 2))
    ang = np.array([0.3, -1.0])
    rot = np.stack([[[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]] for a in ang])
    dst = np.stack([1.7 * src @ r.T + (3, -2) for r in rot])
    s, r, t = umeyama(np.broadcast_to(src, dst.shape), dst)
    assert np.allclose(s, 1.7) and np.allclose(r, rot) and np.allclose(t, (3, -2))


def test_the_3d_rotation_is_the_svd_umeyama_rotation_reflections_and_degenerate_covs_included():
    """The polar-factor Newton iteration against Umeyama's SVD form, on covariances of every kind:
    near-rotations (a face against the mean face), random ones, a reflection (det < 0, where
    Umeyama flips the smallest singular direction), a rank-deficient and a zero one."""
    from core.face.pnp import rodrigues
    from core.face.pose import _rotation_3d
    from tests.core.face._reference import umeyama_svd

    rng = np.random.default_rng(7)
    rot = rodrigues(rng.normal(size=(40, 3)))
    near = rot * rng.uniform(500, 1500, (40, 1, 3)) + rng.normal(size=(40, 3, 3)) * 20
    covs = np.concatenate([near, rng.normal(size=(20, 3, 3)), -np.eye(3)[None] * [1, 2, 3]])
    covs = np.concatenate([covs, np.diag([2.0, 1.0, 0.0])[None], np.zeros((1, 3, 3))])

    def svd_form(cov):
        u, sig, vt = np.linalg.svd(cov)
        d = np.ones_like(sig)
        d[..., -1] = np.sign(np.linalg.det(u) * np.linalg.det(vt))
        d[d == 0] = 1.0
        return (u * d[..., None, :]) @ vt, (sig * d).sum(axis=-1)

    for batch in (covs[:40], covs):  # all near-rotations (the iteration), and a mix (the fallback)
        r, trace = _rotation_3d(batch)
        r_ref, trace_ref = svd_form(batch)
        assert np.abs(trace - trace_ref).max() <= 1e-12 * np.abs(trace_ref).max()
        proper = np.linalg.matrix_rank(batch) == 3  # where the rotation is unique
        assert np.abs(r[proper] - r_ref[proper]).max() < 1e-12
        assert np.allclose(np.linalg.det(r), 1.0) and np.allclose(r @ np.swapaxes(r, 1, 2), np.eye(3))
    # and the similarity it gives, against the SVD umeyama, on frames of a moving face
    track = _face_track(20).astype(np.float64)
    s, r, t = umeyama(track, track[0])
    s_ref, r_ref, t_ref = umeyama_svd(track, track[0])
    assert np.allclose(s, s_ref, rtol=1e-12) and np.abs(r - r_ref).max() < 1e-12
    assert np.abs(t - t_ref).max() < 1e-9


def test_poses_follow_head_yaw_and_ignore_the_jaw():
    n = 60
    yaw = 20 * np.sin(np.linspace(0, 2 * np.pi, n))
    track = _face_track(n, yaw_deg=yaw)
    valid = np.ones(n, bool)
    valid[10:13] = False
    poses = estimate_poses(track, valid, (512, 512))
    assert poses.similarity.shape == (n, 2, 3) and poses.rotation.shape == (n, 3, 3)
    assert poses.mean_shape.shape == (478, 3)
    est = poses.angles_deg()[:, 1]
    assert np.corrcoef(est[valid], yaw[valid])[0, 1] > 0.98
    assert np.abs(np.abs(est[valid]).max() - 20) < 6
    assert np.allclose(poses.rotation[10], poses.rotation[9])  # invalid frames take the nearest pose
    assert np.all(poses.residual[valid] < 0.1)
    assert list(nearest_valid(np.array([0, 1, 0, 0, 1, 0], bool))) == [1, 1, 1, 4, 4, 4]


def test_poses_solved_on_two_threads_are_the_same_to_the_bit():
    from concurrent.futures import ThreadPoolExecutor
    from dataclasses import fields

    n = 90
    track = _face_track(n, yaw_deg=25 * np.sin(np.linspace(0, 3 * np.pi, n)))
    track += np.random.default_rng(1).normal(0, 0.3, track.shape).astype(np.float32)  # tracker jitter
    valid = np.ones(n, bool)
    valid[40:44] = False
    serial = estimate_poses(track, valid, (512, 512))
    submitted = []
    with ThreadPoolExecutor(1) as pool:

        def submit(fn, *args):
            submitted.append(pool.submit(fn, *args))
            return submitted[-1]

        split = estimate_poses(track, valid, (512, 512), submit)
    assert len(submitted) == 1  # half the frames went to the pool
    for f in fields(serial):
        assert getattr(split, f.name).tobytes() == getattr(serial, f.name).tobytes(), f.name


@pytest.mark.parametrize("mouth_size", [64, 96, 128, 160, 256])
def test_crop_boxes_have_dinet_geometry_and_stay_still_while_speaking(mouth_size):
    n = 50
    track = _face_track(n)
    poses = estimate_poses(track, np.ones(n, bool), (512, 512))
    face, mouth, out = crop_boxes(poses, 25.0, (512, 512))
    geom = crop_geometry(mouth_size)
    side = mouth[:, 2] - mouth[:, 0]
    assert np.allclose(mouth[:, 3] - mouth[:, 1], side, atol=1e-3)
    fw, fh = face[:, 2] - face[:, 0], face[:, 3] - face[:, 1]
    assert np.allclose(fh / fw, geom.crop_height / geom.crop_width, atol=1e-4)
    assert np.allclose((mouth[:, 0] - face[:, 0]) / side * mouth_size, geom.mouth_left, atol=1e-3)
    assert np.allclose((mouth[:, 1] - face[:, 1]) / side * mouth_size, geom.mouth_top, atol=1e-3)
    lips = track[:, list(topology.LIPS_OUTER), :2]
    assert np.all(lips.min(axis=1) > mouth[:, :2]) and np.all(lips.max(axis=1) < mouth[:, 2:])
    assert np.std(mouth[:, 1]) < 0.5  # the jaw moves 12 px; the box does not follow it
    assert np.corrcoef(mouth[:, 0], track[:, 1, 0])[0, 1] > 0.99  # but it follows the head
    assert not out.any()
    assert np.allclose(face_box_from_mouth(mouth), face)
    frame = np.random.default_rng(0).integers(0, 255, (512, 512, 3), np.uint8)
    crop = cut_crop(frame, face[0], geom.crop_size)
    assert crop.shape == (geom.crop_height, geom.crop_width, 3)


def test_crop_out_of_frame_is_flagged():
    n = 10
    track = _face_track(n)
    track[..., 0] -= 230  # face at the left edge
    poses = estimate_poses(track, np.ones(n, bool), (512, 512))
    _, _, out = crop_boxes(poses, 25.0, (512, 512))
    assert out.all()
