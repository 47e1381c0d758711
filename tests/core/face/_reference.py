"""Reference implementations: what prepare did before it was vectorised, kept to test against.

- `one_euro_per_frame`: the One-Euro filter with `np.linalg.norm` and a fresh array per step.
- `estimate_poses_cv2`: head poses by `cv2.solvePnP` frame by frame (SQPNP on the first valid
  frame, then SOLVEPNP_ITERATIVE from the previous pose) and `cv2.projectPoints` residuals.
- `track_two_graphs`: the face-count probe, a two-face MediaPipe graph for the first 25 frames,
  then a second, one-face graph (MediaPipe's own FaceMesh, per-point landmark conversion).
- `analyse_whole_clip`: smoothing, poses and crops as prepare computed them before its end-of-clip
  analysis was made cheaper: `one_euro_per_frame` over each run, the Procrustes mean by a full
  SVD `umeyama` of every frame per iteration, the 2-D similarity by SVD, and PnP run to
  convergence (relative cost change 1e-13).
"""

from __future__ import annotations

import cv2
import numpy as np

from core.face import topology
from core.face.crops import crop_boxes
from core.face.mouth_metrics import EYE_OUTER_CORNERS, face_size, mouth_opening
from core.face.pnp import solve_pnp, weak_perspective_start
from core.face.pose import PNP_POINTS, Poses, mean_shape, nearest_valid, rigid_points
from core.face.smoothing import OneEuroSettings, _alpha, fill_gaps, runs
from core.face.tracker import choose_subject


def one_euro_per_frame(x, fps, min_cutoff, beta, d_cutoff):
    out = np.empty_like(x)
    mc = np.asarray(min_cutoff, dtype=np.float64)[:, None]
    b = np.asarray(beta, dtype=np.float64)[:, None]
    a_d = float(_alpha(np.array(d_cutoff), fps))
    prev = x[0].astype(np.float64)
    dprev = np.zeros_like(prev)
    out[0] = prev
    for i in range(1, len(x)):
        dx = (x[i] - prev) * fps
        dprev = dprev + a_d * (dx - dprev)
        speed = np.linalg.norm(dprev, axis=-1, keepdims=True)
        a = _alpha(mc + b * speed, fps)
        prev = prev + a * (x[i] - prev)
        out[i] = prev
    return out


def estimate_poses_cv2(landmarks: np.ndarray, valid: np.ndarray, size: tuple[int, int]):
    """(rotation [N, 3, 3], translation [N, 3], residual [N]) over the valid frames, float64."""
    rig = rigid_points()
    mean = mean_shape(landmarks, valid)
    w, h = size
    f = float(max(w, h))
    cam = np.array([[f, 0, w / 2], [0, f, h / 2], [0, 0, 1]], dtype=np.float64)
    pnp = rig[:: max(1, len(rig) // PNP_POINTS)]
    obj = np.ascontiguousarray(mean[pnp])
    n = len(landmarks)
    rot, trans, resid = np.tile(np.eye(3), (n, 1, 1)), np.zeros((n, 3)), np.full(n, np.nan)
    rvec = tvec = None
    for i in np.flatnonzero(valid):
        pts = landmarks[i].astype(np.float64)
        img = np.ascontiguousarray(pts[pnp, :2])
        if rvec is None:
            _, rvec, tvec = cv2.solvePnP(obj, img, cam, None, flags=cv2.SOLVEPNP_SQPNP)
        else:
            _, rvec, tvec = cv2.solvePnP(
                obj, img, cam, None, rvec, tvec, useExtrinsicGuess=True, flags=cv2.SOLVEPNP_ITERATIVE
            )
        rot[i] = cv2.Rodrigues(rvec)[0]
        trans[i] = tvec.reshape(3)
        proj = cv2.projectPoints(obj, rvec, tvec, cam, None)[0].reshape(-1, 2)
        resid[i] = np.sqrt(((proj - img) ** 2).sum(axis=1).mean()) / max(float(face_size(pts)), 1e-6)
    return rot, trans, resid


def track_two_graphs(frames_bgr, probe_frames: int = 25) -> np.ndarray:
    """[N, 478, 3] landmarks (NaN where no face) the way the old FaceTracker found them."""
    import mediapipe as mp

    def mesh(faces: int):
        return mp.solutions.face_mesh.FaceMesh(
            static_image_mode=False, max_num_faces=faces, refine_landmarks=True
        )

    out = np.full((len(frames_bgr), 478, 3), np.nan, np.float32)
    current, previous, most = mesh(2), None, 0
    try:
        for i, frame in enumerate(frames_bgr):
            h, w = frame.shape[:2]
            faces = current.process(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)).multi_face_landmarks or []
            most = max(most, len(faces))
            if i + 1 == probe_frames and most <= 1:
                current.close()
                current = mesh(1)
            if faces:
                cands = [
                    np.array([(p.x, p.y, p.z) for p in face.landmark], np.float32)
                    * np.array([w, h, w], np.float32)
                    for face in faces
                ]
                previous = out[i] = choose_subject(cands, previous, (w, h))
    finally:
        current.close()
    return out


def umeyama_svd(src, dst):
    """`core.face.pose.umeyama` as it was: centre both, SVD of the cross-covariance, in any dimension."""
    src, dst = np.asarray(src, np.float64), np.asarray(dst, np.float64)
    points = max(src.shape[-2], dst.shape[-2])
    mu_s, mu_d = src.mean(axis=-2), dst.mean(axis=-2)
    a, b = src - mu_s[..., None, :], dst - mu_d[..., None, :]
    u, sig, vt = np.linalg.svd(np.swapaxes(b, -1, -2) @ a / points)
    d = np.ones_like(sig)
    d[..., -1] = np.sign(np.linalg.det(u) * np.linalg.det(vt))
    d[d == 0] = 1.0
    rot = (u * d[..., None, :]) @ vt
    var = np.einsum("...pi,...pi->...", a, a) / points
    scale = (sig * d).sum(axis=-1) / np.where(var > 0, var, 1.0)
    return scale, rot, mu_d - scale[..., None] * (rot @ mu_s[..., None])[..., 0]


def mean_shape_svd(frames, iterations: int = 3):
    """The generalised-Procrustes mean of frames [N, 478, 3], one `umeyama_svd` per iteration."""
    rig = rigid_points()
    frames = np.asarray(frames, np.float64)
    ref = frames[0]
    for _ in range(iterations):
        s, r, t = umeyama_svd(frames[:, rig], ref[rig])
        ref = (s[:, None, None] * frames @ np.swapaxes(r, -1, -2) + t[:, None]).mean(axis=0)
    return ref - ref[rig].mean(axis=0)


def smooth_whole_clip(landmarks, valid, fps):
    """Zero-lag One-Euro over each run of valid frames, scale the clip's median eye-corner distance."""
    s = OneEuroSettings()
    out = landmarks.astype(np.float32)
    scale = float(np.median(face_size(landmarks[valid][:, list(EYE_OUTER_CORNERS)], corners=(0, 1))))
    lips = np.isin(np.arange(landmarks.shape[1]), topology.region_vertices("lips"))
    mc, beta = np.where(lips, s.lip_min_cutoff, s.min_cutoff), np.where(lips, s.lip_beta, s.beta)
    for start, stop in runs(valid):
        seg = landmarks[start:stop].astype(np.float64) / scale
        fwd = one_euro_per_frame(seg, fps, mc, beta, s.d_cutoff)
        bwd = one_euro_per_frame(seg[::-1], fps, mc, beta, s.d_cutoff)[::-1]
        out[start:stop] = 0.5 * (fwd + bwd) * scale
    return out


def analyse_whole_clip(raw, found, size, fps):
    """(smoothed landmarks, Poses, face boxes, mouth boxes, mouth opening), all float64 where
    computed, for a raw track [N, 478, 3] whose frames without a face are flagged in `found`."""
    smooth = smooth_whole_clip(fill_gaps(raw, found).astype(np.float32), found, fps)
    idx = np.flatnonzero(found)
    frames = smooth[idx].astype(np.float64)
    mean = mean_shape_svd(frames)
    rig = rigid_points()
    pnp = rig[:: max(1, len(rig) // PNP_POINTS)]
    w, h = size
    f = float(max(w, h))
    cam = np.array([[f, 0, w / 2], [0, f, h / 2], [0, 0, 1]], dtype=np.float64)
    n = len(raw)
    sim, scale = np.zeros((n, 2, 3)), np.ones(n)
    rot, trans, resid = np.tile(np.eye(3), (n, 1, 1)), np.zeros((n, 3)), np.full(n, np.nan)
    s2, r2, t2 = umeyama_svd(frames[:, rig, :2], mean[rig, :2])
    sim[idx, :, :2], sim[idx, :, 2], scale[idx] = s2[:, None, None] * r2, t2, s2
    img = frames[:, pnp, :2]
    start = weak_perspective_start(*umeyama_svd(mean[pnp], frames[:, pnp]), cam)
    solved = solve_pnp(mean[pnp], img, cam, *start, max_iterations=200, tolerance=1e-13)
    rot[idx], trans[idx] = solved.rotation, solved.translation
    rms = np.sqrt(((solved.projected - img) ** 2).sum(axis=-1).mean(axis=-1))
    resid[idx] = rms / np.maximum(face_size(frames), 1e-6)
    missing = ~found
    if missing.any():
        near = nearest_valid(found)[missing]
        sim[missing], scale[missing], rot[missing], trans[missing] = (
            sim[near],
            scale[near],
            rot[near],
            trans[near],
        )
    poses = Poses(sim, scale, rot, trans, mean, resid)
    face, mouth, _ = crop_boxes(poses, fps, size)
    return smooth, poses, face, mouth, mouth_opening(smooth)
