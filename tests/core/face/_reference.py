"""Reference implementations: what prepare did before it was vectorised, kept to test against.

- `one_euro_per_frame`: the One-Euro filter with `np.linalg.norm` and a fresh array per step.
- `estimate_poses_cv2`: head poses by `cv2.solvePnP` frame by frame (SQPNP on the first valid
  frame, then SOLVEPNP_ITERATIVE from the previous pose) and `cv2.projectPoints` residuals.
- `track_two_graphs`: the face-count probe, a two-face MediaPipe graph for the first 25 frames,
  then a second, one-face graph (MediaPipe's own FaceMesh, per-point landmark conversion).
"""

from __future__ import annotations

import cv2
import numpy as np

from core.face.mouth_metrics import face_size
from core.face.pose import PNP_POINTS, mean_shape, rigid_points
from core.face.smoothing import _alpha
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
