"""Per-frame head pose from tracked landmarks: 2-D similarity to the clip's mean face, and 3-D PnP.

Only rigid points take part (the mesh minus lips, mouth and jaw), so speech does not move the pose.

- `similarity` [N, 2, 3]: maps frame pixels onto the mean face, mean ~= S @ [x, y, 1].
- The mean 3-D shape [478, 3] is the generalised-Procrustes mean of the clip's own landmarks (x, y
  pixels, z MediaPipe's depth in the same units), centred on its rigid points.
- `rotation` [N, 3, 3], `translation` [N, 3]: perspective-n-point (`core.face.pnp`, all frames at
  once) of the mean shape against each frame's landmarks with a pinhole camera of focal length
  max(W, H) px at the image centre; the camera frame is OpenCV's (x right, y down, z forward),
  so a frontal face has a rotation near identity.
  Translation is in the mean shape's units (pixels at the face's depth).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass

import numpy as np

from core.face import topology
from core.face.pnp import solve_pnp, weak_perspective_start

PNP_POINTS = 80
# a frame's PnP stops once an iteration lowers its reprojection cost by less than this fraction:
# 1e-8 stops most frames an iteration before 1e-10 did (LM converges linearly here, ~10x a step),
# and moved the poses of samples a-d by at most 8e-5 degrees and 1.2e-4 in translation (float32's
# own spacing at t_z ~ 1000 is 6e-5); the residuals did not change in float32
PNP_TOLERANCE = 1e-8
MIN_FRAMES_PER_THREAD = 32  # below this a second thread costs more than it saves
POLAR_STEPS = 12  # Newton steps at most (six or seven reach double precision from any frame's cov)
POLAR_SETTLED = 1e-14  # a step that moves no entry of the rotation by more than this: converged


@functools.cache
def rigid_points() -> np.ndarray:
    """Vertex ids that move with the skull, not with the mouth or jaw."""
    moving = set()
    for name in ("lips", "mouth_interior", "jaw"):
        moving.update(topology.region_vertices(name).tolist())
    return np.array([v for v in range(topology.NUM_MESH_VERTICES) if v not in moving], dtype=np.int64)


def umeyama(src: np.ndarray, dst: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Similarity minimising |s R src + t - dst|^2, batched: src [..., P, D], dst [..., P, D].

    Returns scale [...], rotation [..., D, D], translation [..., D].
    """
    src, dst = np.asarray(src, np.float64), np.asarray(dst, np.float64)  # batch axes broadcast
    points = max(src.shape[-2], dst.shape[-2])
    mu_s, mu_d = src.mean(axis=-2), dst.mean(axis=-2)
    a, b = src - mu_s[..., None, :], dst - mu_d[..., None, :]
    cov = np.swapaxes(b, -1, -2) @ a / points
    var = np.einsum("...pi,...pi->...", a, a) / points
    return _similarity(cov, var, mu_s, mu_d)


def _similarity(
    cov: np.ndarray, var: np.ndarray, mu_s: np.ndarray, mu_d: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Umeyama's closed form from the cross-covariance cov [..., D, D] (dst^T src, both centred,
    / points), the source's variance var [...] and both means [..., D].

    In 2-D the best rotation has a closed form, and no SVD is needed: trace(R(theta)^T cov) =
    (c00 + c11) cos(theta) + (c10 - c01) sin(theta) is largest at theta = atan2(c10 - c01, c00 + c11),
    where it is hypot(c00 + c11, c10 - c01), the sum of the singular values with Umeyama's sign
    correction.
    """
    if cov.shape[-1] == 2:
        cos_part = cov[..., 0, 0] + cov[..., 1, 1]
        sin_part = cov[..., 1, 0] - cov[..., 0, 1]
        trace = np.hypot(cos_part, sin_part)
        safe = np.where(trace > 0, trace, 1.0)
        cos, sin = np.where(trace > 0, cos_part / safe, 1.0), sin_part / safe
        rot = np.stack([np.stack([cos, -sin], axis=-1), np.stack([sin, cos], axis=-1)], axis=-2)
    else:
        rot, trace = _rotation_3d(cov)
    scale = trace / np.where(var > 0, var, 1.0)
    t = mu_d - scale[..., None] * (rot @ mu_s[..., None])[..., 0]
    return scale, rot, t


def _rotation_3d(cov: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Umeyama's rotation [..., 3, 3] and trace(R^T cov) [...] for 3x3 cross-covariances.

    Where det(cov) > 0 the rotation is cov's orthogonal polar factor, U V^T of cov = U S V^T, and
    the trace the sum of the singular values: Higham's scaled Newton iteration X <- (g X + X^-T / g)
    / 2 reaches it in six or seven steps to double precision (X^-T is the cofactor matrix over the
    determinant, written out), about half the time of a batched SVD of 3x3 matrices, which costs
    microseconds of LAPACK set-up each. Elsewhere (a reflection, where Umeyama flips the smallest
    singular direction; a degenerate cov) or where the iteration has not settled: the SVD.
    """
    cov = np.asarray(cov, np.float64)
    norm = np.sqrt(np.square(cov).sum(axis=(-2, -1)))
    x = cov * (np.sqrt(3.0) / np.where(norm > 0, norm, 1.0))[..., None, None]
    settled = np.zeros(cov.shape[:-2], bool)
    for _ in range(POLAR_STEPS):
        a, b, c = x[..., 0, 0], x[..., 0, 1], x[..., 0, 2]
        d, e, f = x[..., 1, 0], x[..., 1, 1], x[..., 1, 2]
        g, h, i = x[..., 2, 0], x[..., 2, 1], x[..., 2, 2]
        cof = np.empty_like(x)
        cof[..., 0, 0], cof[..., 0, 1], cof[..., 0, 2] = e * i - f * h, f * g - d * i, d * h - e * g
        cof[..., 1, 0], cof[..., 1, 1], cof[..., 1, 2] = c * h - b * i, a * i - c * g, b * g - a * h
        cof[..., 2, 0], cof[..., 2, 1], cof[..., 2, 2] = b * f - c * e, c * d - a * f, a * e - b * d
        det = a * cof[..., 0, 0] + b * cof[..., 0, 1] + c * cof[..., 0, 2]
        if not (det > 0).all():
            break  # a reflection or a degenerate cov somewhere: the SVD below takes those
        inv_t = cof / det[..., None, None]
        gamma = np.sqrt(np.sqrt(np.square(inv_t).sum(axis=(-2, -1)) / np.square(x).sum(axis=(-2, -1))))
        new = 0.5 * (gamma[..., None, None] * x + inv_t / gamma[..., None, None])
        settled = np.abs(new - x).max(axis=(-2, -1)) < POLAR_SETTLED
        x = new
        if settled.all():
            break
    rot, trace = x, np.einsum("...ij,...ij->...", x, cov)
    if not settled.all():
        rest = ~settled
        u, sig, vt = np.linalg.svd(cov[rest])
        s = np.ones_like(sig)
        s[..., -1] = np.sign(np.linalg.det(u) * np.linalg.det(vt))
        s[s == 0] = 1.0
        rot, trace = rot.copy(), trace.copy()
        rot[rest], trace[rest] = (u * s[..., None, :]) @ vt, (sig * s).sum(axis=-1)
    return rot, trace


def mean_shape(landmarks: np.ndarray, valid: np.ndarray | None, iterations: int = 3) -> np.ndarray:
    """Generalised-Procrustes mean [P, 3] of the valid frames' 3-D landmarks (rigid points aligned);
    `valid` None: `landmarks` holds only valid frames."""
    frames = np.asarray(landmarks if valid is None else landmarks[valid])
    return RigidStack(frames).mean_shape(iterations)


class RigidStack:
    """A clip's frames [N, P, 3] laid out once for Procrustes fits of every frame's rigid points
    against one reference: `mean_shape()` (the generalised-Procrustes mean) and `similarity_2d()`
    (each frame's x, y onto the mean's) share it.

    The points are kept coordinate-major, rows [N*3, P] (frame n's x, y, z at rows 3n..3n+2): a
    frame's points go into that layout with P innermost, a copy several times cheaper than the
    point-major [P, N*3] (a 3-long inner axis) the matrix products read, which is its transpose
    (BLAS reads it transposed in place). The rigid points' centred rows, means and variances are
    computed once, and the cross-covariances of all frames against a reference are one matrix
    product [3, R] @ [R, N*3].
    """

    def __init__(self, frames: np.ndarray) -> None:
        rig = rigid_points()
        self.n = n = len(frames)
        # [N, 3, P] in float64, P innermost, as one [N*3, P] matrix
        self.rows = np.swapaxes(np.asarray(frames), 1, 2).astype(np.float64).reshape(3 * n, -1)
        rigid = self.rows[:, rig].T  # [R, N*3]
        self.r_count = len(rig)
        mu = rigid.mean(axis=0)  # [N*3]
        self.centred = rigid - mu
        sq = np.square(self.centred).sum(axis=0).reshape(n, 3)  # per frame and coordinate
        self.var3 = sq.sum(axis=1) / self.r_count
        self.var2 = (sq[:, 0] + sq[:, 1]) / self.r_count
        self.mu = mu.reshape(n, 3)

    def _cov(self, target: np.ndarray) -> np.ndarray:
        """Cross-covariances [N, D, 3] of the reference's centred rigid points target [R, D] with
        every frame's (D = 2 or 3): umeyama's dst^T src / points."""
        centred_target = target - target.mean(axis=0)
        d = target.shape[1]
        return (centred_target.T @ self.centred).reshape(d, self.n, 3).transpose(1, 0, 2) / self.r_count

    def mean_shape(self, iterations: int = 3) -> np.ndarray:
        """The generalised-Procrustes mean [P, 3], centred on its rigid points, from frame 0 on.

        Each iteration is `umeyama(frames[:, rigid], ref[rigid])` for every frame at once, then the
        mean over frames of s_n x_n R_n^T + t_n as one matrix product over (frame, axis).
        """
        rig = rigid_points()
        n = self.n
        ref = self.rows[:3].T  # frame 0 [P, 3]
        for _ in range(iterations):
            target = ref[rig]
            s, r, t = _similarity(self._cov(target), self.var3, self.mu, target.mean(axis=0))
            weights = (s[:, None, None] * np.swapaxes(r, -1, -2)).reshape(3 * n, 3)
            ref = (weights.T @ self.rows).T / n + t.mean(axis=0)
        return ref - ref[rig].mean(axis=0)

    def similarity_2d(self, mean: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """`umeyama(frames[:, rigid, :2], mean[rigid, :2])`: scale [N], rotation [N, 2, 2] and
        translation [N, 2] mapping each frame's x, y onto the mean's (the x, y block of the 3-D
        cross-covariance, the x, y part of the variance)."""
        target = mean[rigid_points(), :2]
        cov = self._cov(target)[:, :, :2]
        return _similarity(cov, self.var2, self.mu[:, :2], target.mean(axis=0))


@dataclass
class Poses:
    similarity: np.ndarray  # [N, 2, 3] frame pixels -> mean face
    scale: np.ndarray  # [N] the similarity's scale (mean-face units per frame pixel)
    rotation: np.ndarray  # [N, 3, 3]
    translation: np.ndarray  # [N, 3]
    mean_shape: np.ndarray  # [478, 3]
    residual: np.ndarray  # [N] PnP reprojection RMS of the rigid points / the frame's eye-corner distance

    def angles_deg(self) -> np.ndarray:
        """[N, 3] (pitch, yaw, roll) in degrees from the PnP rotations (x, y, z Euler, XYZ order)."""
        r = self.rotation
        pitch = np.degrees(np.arctan2(r[:, 2, 1], r[:, 2, 2]))
        yaw = np.degrees(np.arcsin(np.clip(-r[:, 2, 0], -1, 1)))
        roll = np.degrees(np.arctan2(r[:, 1, 0], r[:, 0, 0]))
        return np.stack([pitch, yaw, roll], axis=1)


def estimate_poses(
    landmarks: np.ndarray,
    valid: np.ndarray,
    size: tuple[int, int],
    submit: Callable[..., Future] | None = None,
    similarity_ready: Callable[[np.ndarray, np.ndarray, np.ndarray], None] | None = None,
) -> Poses:
    """Poses for landmarks [N, 478, 3] in pixels; invalid frames get the nearest valid frame's pose.

    All frames are solved together (`core.face.pnp`), each from its own weak-perspective start.
    With `submit(fn, *args) -> Future` (a thread pool's), the first half of the frames is solved
    there while this thread solves the second: every frame is solved on its own, so the poses are
    the same to the bit, and numpy releases the GIL in the large array operations.
    `similarity_ready(mean_shape, similarity, scale)` gets the returned Poses' arrays of those
    three as soon as they are final, before the PnP (what the crop boxes need).
    """
    from core.face.mouth_metrics import face_size

    n = len(landmarks)
    rig = rigid_points()
    w, h = size
    f = float(max(w, h))
    cam = np.array([[f, 0, w / 2], [0, f, h / 2], [0, 0, 1]], dtype=np.float64)
    sim = np.zeros((n, 2, 3))
    scale = np.ones(n)
    rot = np.tile(np.eye(3), (n, 1, 1))
    trans = np.zeros((n, 3))
    resid = np.full(n, np.nan)
    pnp = rig[:: max(1, len(rig) // PNP_POINTS)]  # an even subset: as accurate, several times faster
    idx = np.flatnonzero(valid)
    valid_frames = landmarks[idx]
    stack = RigidStack(valid_frames)
    mean = stack.mean_shape()
    obj = mean[pnp]
    frames = valid_frames.astype(np.float64)
    half = len(idx) // 2 if submit is not None and len(idx) >= 2 * MIN_FRAMES_PER_THREAD else 0
    first = submit(_solve, obj, frames[:half], pnp, cam) if half else None
    s2, r2, t2 = stack.similarity_2d(mean)
    sim[idx, :, :2] = s2[:, None, None] * r2
    sim[idx, :, 2] = t2
    scale[idx] = s2
    filled = 0 < len(idx) < n
    if filled:
        nearest = nearest_valid(valid)
        missing = ~valid
        sim[missing], scale[missing] = sim[nearest[missing]], scale[nearest[missing]]
    sim32, scale32, mean32 = sim.astype(np.float32), scale.astype(np.float32), mean.astype(np.float32)
    if similarity_ready is not None:
        similarity_ready(mean32, sim32, scale32)
    if len(idx):
        parts = [_solve(obj, frames[half:], pnp, cam)]
        if first is not None:
            parts.insert(0, first.result())
        rot[idx], trans[idx], rms = (np.concatenate(part) for part in zip(*parts, strict=True))
        resid[idx] = rms / np.maximum(face_size(frames), 1e-6)
    if filled:
        rot[missing], trans[missing] = rot[nearest[missing]], trans[nearest[missing]]
    rot32, trans32, resid32 = rot.astype(np.float32), trans.astype(np.float32), resid.astype(np.float32)
    return Poses(sim32, scale32, rot32, trans32, mean32, resid32)


def _solve(
    obj: np.ndarray, frames: np.ndarray, pnp: np.ndarray, camera: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rotation [n, 3, 3], translation [n, 3], reprojection RMS [n] px) of `obj` in frames [n, 478, 3]."""
    img = frames[:, pnp, :2]
    start = weak_perspective_start(*umeyama(obj, frames[:, pnp]), camera)
    solved = solve_pnp(obj, img, camera, *start, tolerance=PNP_TOLERANCE)
    rms = np.sqrt(((solved.projected - img) ** 2).sum(axis=-1).mean(axis=-1))
    return solved.rotation, solved.translation, rms


def nearest_valid(valid: np.ndarray) -> np.ndarray:
    """For every frame, the index of the nearest valid frame [N] (valid frames map to themselves)."""
    idx = np.flatnonzero(valid)
    pos = np.clip(np.searchsorted(idx, np.arange(len(valid))), 1, len(idx) - 1) if len(idx) > 1 else None
    if pos is None:
        return np.full(len(valid), idx[0] if len(idx) else 0)
    left, right = idx[pos - 1], idx[pos]
    frames = np.arange(len(valid))
    return np.where(np.abs(frames - left) <= np.abs(right - frames), left, right)
