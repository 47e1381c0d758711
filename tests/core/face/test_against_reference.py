"""The vectorised prepare against what it replaced (tests/core/face/_reference.py).

Smoothing must match to rounding (float32 in prepare) and gap filling to the bit; the batched PnP
must reach a reprojection error no worse than OpenCV's per-frame solver, with poses and crops
within a small tolerance; the one-graph tracker must give the old two-graph tracker's landmarks
(identical while the old probe ran, within a fraction of a percent of the face size after it), on
the synthetic demo and a real clip.
"""

from pathlib import Path

import numpy as np
import pytest

from core.face import pnp, topology
from core.face.crops import crop_boxes
from core.face.face_mesh_graph import landmarks_array, open_graph
from core.face.mouth_metrics import face_size
from core.face.pose import Poses, estimate_poses
from core.face.smoothing import OneEuroSettings, fill_gaps, one_euro, smooth_landmarks
from core.face.tracker import FaceTracker
from core.media.decode import iter_frames
from core.synth.talking_head import DemoClipSpec, generate
from tests.core.face._reference import estimate_poses_cv2, one_euro_per_frame, track_two_graphs
from tests.core.face.test_smoothing_pose_crops import _face_track

SAMPLE = Path(__file__).resolve().parents[3].parent / "shared" / "samples" / "talking_512_25fps_a.mp4"


@pytest.fixture(scope="module")
def demo_frames():
    return generate(DemoClipSpec(size=256, duration=2.4, seed=5)).frames  # 60 frames, BGR


@pytest.fixture(scope="module")
def demo_track(demo_frames):
    with FaceTracker() as tracker:
        track = [tracker.track(f) for f in demo_frames]
        assert tracker.graphs_opened == 1 and tracker.most_faces == 1
    assert all(t is not None for t in track)
    return np.stack(track)


def _rotation_deg(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    cos = (np.einsum("nij,nij->n", a.astype(np.float64), b.astype(np.float64)) - 1) / 2
    return np.degrees(np.arccos(np.clip(cos, -1, 1)))


def test_one_euro_matches_the_per_frame_filter(demo_track):
    """The in-place, row-laid-out filter rearranges the per-frame formulas (the speed kept divided by
    a_d fps, alpha as 2 pi c / (2 pi c + fps)), so it matches the reference to rounding (1e-12 of
    the face size; measured ~1e-15), not to the bit. Prepare's smoothing runs it in float32: within
    a few float32 steps of the float64 filter (1.2e-4 px at most on samples a-d)."""
    rng = np.random.default_rng(3)
    noisy = _face_track(80).astype(np.float64) + rng.normal(0, 1.5, (80, 478, 3))
    for track in (noisy / 100.0, demo_track.astype(np.float64) / 60.0):
        mc, beta = rng.uniform(1, 6, 478), rng.uniform(2, 20, 478)
        ref = one_euro_per_frame(track, 25.0, mc, beta, 1.0)
        np.testing.assert_allclose(one_euro(track, 25.0, mc, beta, 1.0), ref, rtol=0, atol=1e-12)
        # forward and backward as one batch: the same numbers as two passes
        both = one_euro(np.stack([track, track[::-1]], axis=1), 25.0, mc, beta, 1.0)
        assert np.array_equal(both[:, 0], one_euro(track, 25.0, mc, beta, 1.0))
        bwd = one_euro_per_frame(track[::-1], 25.0, mc, beta, 1.0)[::-1]
        np.testing.assert_allclose(both[::-1, 1], bwd, rtol=0, atol=1e-12)
    # and what prepare calls, with a gap splitting the clip into two runs
    valid = np.ones(len(demo_track), bool)
    valid[20:23] = False
    s = OneEuroSettings()
    out = smooth_landmarks(demo_track, valid, 25.0, s)
    scale = float(np.median(face_size(demo_track[valid])))
    lips = np.isin(np.arange(478), topology.region_vertices("lips"))
    mc, beta = np.where(lips, s.lip_min_cutoff, s.min_cutoff), np.where(lips, s.lip_beta, s.beta)
    seg = demo_track[23:].astype(np.float64) / scale
    fwd = one_euro_per_frame(seg, 25.0, mc, beta, s.d_cutoff)
    bwd = one_euro_per_frame(seg[::-1], 25.0, mc, beta, s.d_cutoff)[::-1]
    ref = (0.5 * (fwd + bwd) * scale).astype(np.float32)
    np.testing.assert_allclose(out[23:], ref, rtol=0, atol=5e-4)  # a few float32 steps at ~200 px
    assert np.array_equal(out[20:23], demo_track[20:23])


def test_fill_gaps_is_bit_identical_to_np_interp():
    rng = np.random.default_rng(0)
    for _ in range(50):
        n = int(rng.integers(2, 30))
        x = rng.normal(size=(n, 4, 3)) * 100
        valid = rng.random(n) < rng.uniform(0.2, 0.9)
        if not valid.any():
            continue
        ref = np.stack(
            [
                np.interp(np.arange(n), np.flatnonzero(valid), x[valid, j, k])
                for j in range(4)
                for k in range(3)
            ],
            axis=1,
        ).reshape(n, 4, 3)
        assert np.array_equal(fill_gaps(x, valid), ref)


def test_pnp_jacobian_matches_finite_differences():
    rng = np.random.default_rng(1)
    obj = rng.normal(size=(12, 3)) * 50
    cam = np.array([[500.0, 0, 256], [0, 500, 256], [0, 0, 1]])
    rot = pnp.rodrigues(rng.normal(size=(3, 3)) * 0.3)
    t = np.array([[5.0, -3, 900], [0, 10, 700], [-20, 4, 1500]])
    q, p, z, proj = pnp._project(obj.T, rot, t, cam)  # coordinates first: [3, M] in, [N, 2, M] out
    jac = pnp._jacobian(q, p, z, 500.0)  # [N, 6, 2, M]
    eps = 1e-6
    for k in range(6):
        d = np.zeros((3, 6))
        d[:, k] = eps
        moved = pnp._project(obj.T, pnp.rodrigues(d[:, :3]) @ rot, t + d[:, 3:], cam)[3]
        assert np.allclose((moved - proj) / eps, jac[:, k], rtol=1e-4, atol=1e-4 * np.abs(jac).max())


def test_pnp_recovers_exact_poses_from_a_rough_start():
    rng = np.random.default_rng(2)
    obj = rng.normal(size=(40, 3)) * np.array([60, 70, 30])
    cam = np.array([[512.0, 0, 256], [0, 512, 256], [0, 0, 1]])
    rot = pnp.rodrigues(rng.normal(size=(20, 3)) * 0.4)
    t = np.column_stack([rng.normal(0, 30, 20), rng.normal(0, 30, 20), rng.uniform(600, 1500, 20)])
    image = np.swapaxes(pnp._project(obj.T, rot, t, cam)[3], 1, 2)  # [N, M, 2]
    start_rot = pnp.rodrigues(rng.normal(size=(20, 3)) * 0.05) @ rot
    out = pnp.solve_pnp(obj, image, cam, start_rot, t * rng.uniform(0.85, 1.15, (20, 1)))
    assert _rotation_deg(out.rotation, rot).max() < 1e-4  # arccos near 1 resolves ~1e-6 degrees
    assert np.abs(out.translation - t).max() < 1e-6 * t[:, 2].max()
    assert np.abs(out.projected - image).max() < 1e-6


@pytest.mark.parametrize("source", ["demo", "yawing"])
def test_poses_and_crops_match_per_frame_opencv(source, demo_track):
    if source == "demo":
        track, size = demo_track, (256, 256)
    else:  # a synthetic head turning 30 degrees either way, with tracking noise
        yaw = 30 * np.sin(np.linspace(0, 2 * np.pi, 60))
        noise = np.random.default_rng(4).normal(0, 0.7, (60, 478, 3))
        track, size = (_face_track(60, yaw_deg=yaw) + noise).astype(np.float32), (512, 512)
    valid = np.ones(len(track), bool)
    valid[[5, 6]] = False
    new = estimate_poses(track, valid, size)
    ref_rot, ref_t, ref_resid = estimate_poses_cv2(track, valid, size)
    v = valid
    assert np.all(new.residual[v] <= ref_resid[v] + 1e-5)  # at least as good a fit as OpenCV's
    assert np.median(new.residual[v]) > 0.5 * np.median(ref_resid[v])  # same problem, same scale
    assert _rotation_deg(new.rotation[v], ref_rot[v]).max() < 0.5
    assert (np.abs(new.translation[v] - ref_t[v]).max(axis=1) / ref_t[v, 2]).max() < 0.03
    assert np.array_equal(new.rotation[5], new.rotation[4]) and np.isnan(new.residual[5])  # nearest valid
    # crops depend on the 2-D similarity only: the same boxes as with the reference's poses
    ref = Poses(
        new.similarity,
        new.scale,
        ref_rot.astype(np.float32),
        ref_t.astype(np.float32),
        new.mean_shape,
        ref_resid,
    )
    for a, b in zip(crop_boxes(new, 25.0, size), crop_boxes(ref, 25.0, size), strict=True):
        assert np.array_equal(a, b)


def test_graph_gives_facemesh_results_and_numpy_reads_them_like_the_per_point_loop(demo_frames):
    import cv2
    import mediapipe as mp

    frames = [cv2.cvtColor(f, cv2.COLOR_BGR2RGB) for f in demo_frames[:6]]
    graph = open_graph(1, 0.5, 0.5)
    try:
        with mp.solutions.face_mesh.FaceMesh(max_num_faces=1, refine_landmarks=True) as mesh:
            for i, rgb in enumerate(frames):
                faces, detected = graph.run(rgb)
                face = mesh.process(rgb).multi_face_landmarks[0]
                assert faces == [face.SerializeToString()]  # the same graph, the same numbers
                assert detected == (1 if i == 0 else None)  # the detector runs only until a face is tracked
    finally:
        graph.close()
    loop = np.array([(p.x, p.y, p.z) for p in face.landmark], np.float32)
    fast = landmarks_array(faces[0])
    assert fast.shape == (478, 3) and fast.dtype == np.float32 and np.array_equal(fast, loop)
    face.landmark[7].visibility = 0.5  # a layout the fast path does not read: the protobuf parse takes over
    assert np.array_equal(landmarks_array(face.SerializeToString()), loop)


def _compare_trackers(frames_bgr, new: np.ndarray) -> None:
    old = track_two_graphs(frames_bgr)
    assert np.isfinite(old).all()
    err = np.linalg.norm(new[..., :2] - old[..., :2], axis=-1) / face_size(old)[:, None]  # [N, 478]
    assert np.array_equal(new[:25], old[:25])  # the old probe's frames: the same graph output
    print(f"one graph vs two: mean {err.mean():.5f}, max {err.max():.4f} eye distances")
    assert err.mean() < 0.002 and err.max() < 0.05


def test_one_graph_tracks_like_the_two_graph_probe_on_the_demo(demo_frames, demo_track):
    _compare_trackers(demo_frames, demo_track)


@pytest.mark.samples
@pytest.mark.skipif(not SAMPLE.is_file(), reason=f"real sample clip not found at {SAMPLE}")
def test_one_graph_tracks_like_the_two_graph_probe_on_a_real_clip():
    frames_rgb = list(iter_frames(SAMPLE, 25.0, 60, rgb=True))
    frames_bgr = [f[..., ::-1].copy() for f in frames_rgb]
    with FaceTracker() as tracker:
        new = np.stack([tracker.track_rgb(f) for f in frames_rgb])
        assert tracker.graphs_opened == 1
    _compare_trackers(frames_bgr, new)


def two_people(demo_frames: np.ndarray, count: int = 12) -> np.ndarray:
    """`count` BGR frames: the demo face on the left, a smaller second face on the right."""
    import cv2

    size = demo_frames.shape[1]
    bg = demo_frames[0, :4, :4].mean(axis=(0, 1)).astype(np.uint8)
    frames = np.empty((count, size, 2 * size, 3), np.uint8)
    frames[:, :, :size] = demo_frames[:count]
    frames[:, :, size:] = bg
    for i in range(count):  # a smaller second face on the right
        frames[i, 38:218, size + 38 : size + 218] = cv2.resize(demo_frames[20 + i], (180, 180))
    return frames


def test_a_second_person_switches_to_the_multi_face_graph_once(demo_frames):
    size = demo_frames.shape[1]
    frames = two_people(demo_frames)
    with FaceTracker() as tracker:
        track = [tracker.track(f) for f in frames]
        assert tracker.graphs_opened == 2 and tracker.max_faces == 2 and tracker.most_faces == 2
    assert all(t is not None and t[:, 0].mean() < size for t in track)  # the larger, left face


def test_rgb_tracking_with_a_downscale_made_elsewhere_matches_bgr_tracking(demo_frames):
    from core.face.tracker import TrackerSettings

    settings = TrackerSettings(max_side=192)  # the 256 px demo frames are downscaled for MediaPipe
    with FaceTracker(settings) as bgr, FaceTracker(settings) as rgb:
        for frame in demo_frames[:5]:
            frame_rgb = np.ascontiguousarray(frame[..., ::-1])
            small, scale = rgb.tracking_input(frame_rgb)
            assert small.shape[:2] == (192, 192) and scale == 0.75
            assert np.array_equal(rgb.track_rgb(frame_rgb, (small, scale)), bgr.track(frame))
