"""Batched perspective-n-point: the head pose of every frame of a clip at once, in numpy.

For each frame n, independently, Levenberg-Marquardt minimises the reprojection error

    E_n(R, t) = sum_m | proj(R @ X_m + t) - u_nm |^2,   proj(p) = (f p_x / p_z + c_x, f p_y / p_z + c_y)

over a rotation R (updated on the left, R <- exp([w]x) R) and a translation t: what OpenCV's
`solvePnP(..., SOLVEPNP_ITERATIVE)` minimises one frame at a time, here as a few array operations
over all frames. The start is the weak-perspective fit: the 3-D similarity s R X + t' that maps
the object onto the frame's own 3-D landmarks (MediaPipe's x, y, z share pixel units), read as a
camera at depth t_z = f / s.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PnpResult:
    rotation: np.ndarray  # [N, 3, 3]
    translation: np.ndarray  # [N, 3]
    projected: np.ndarray  # [N, M, 2] the object's points projected with the solved poses
    iterations: int


def skew(v: np.ndarray) -> np.ndarray:
    """[..., 3] -> [..., 3, 3] with skew(a) @ b = a x b."""
    k = np.zeros((*v.shape, 3))
    k[..., 0, 1], k[..., 0, 2], k[..., 1, 2] = -v[..., 2], v[..., 1], -v[..., 0]
    k[..., 1, 0], k[..., 2, 0], k[..., 2, 1] = v[..., 2], -v[..., 1], v[..., 0]
    return k


def rodrigues(w: np.ndarray) -> np.ndarray:
    """Rotation vectors [..., 3] -> rotation matrices [..., 3, 3] (exp of the skew matrix)."""
    theta = np.linalg.norm(w, axis=-1)[..., None, None]
    k = skew(w)
    small = theta < 1e-12
    safe = np.where(small, 1.0, theta)
    a = np.where(small, 1.0, np.sin(safe) / safe)
    b = np.where(small, 0.5, (1.0 - np.cos(safe)) / safe**2)
    return np.eye(3) + a * k + b * (k @ k)


def _jacobian(q: np.ndarray, p: np.ndarray, z: np.ndarray, f: float) -> np.ndarray:
    """d proj / d (w, t) [A, M, 2, 6] for rotated points q and camera points p = q + t [A, M, 3].

    d proj / d p has rows r_u = f/z (1, 0, -x/z), r_v = f/z (0, 1, -y/z); d p / d w = -[q]x, so the
    rotation columns of each row are q x r; the translation columns are r itself.
    """
    g = f / z
    xz, yz = p[..., 0] / z, p[..., 1] / z
    qx, qy, qz = q[..., 0], q[..., 1], q[..., 2]
    jac = np.empty((*z.shape, 2, 6))
    jac[..., 0, 0] = -g * qy * xz
    jac[..., 0, 1] = g * (qz + qx * xz)
    jac[..., 0, 2] = -g * qy
    jac[..., 0, 3] = g
    jac[..., 0, 4] = 0.0
    jac[..., 0, 5] = -g * xz
    jac[..., 1, 0] = -g * (qy * yz + qz)
    jac[..., 1, 1] = g * qx * yz
    jac[..., 1, 2] = g * qx
    jac[..., 1, 3] = 0.0
    jac[..., 1, 4] = g
    jac[..., 1, 5] = -g * yz
    return jac


def weak_perspective_start(
    scale: np.ndarray, rotation: np.ndarray, shift: np.ndarray, camera: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(R [N, 3, 3], t [N, 3]) from 3-D similarities `scale` [N], `rotation` [N, 3, 3], `shift` [N, 3]
    that map the object onto each frame's 3-D landmarks: u ~ s (R X)_x + shift_x reads as a camera at
    depth t_z = f / s with t_x = (shift_x - c_x) / s (and y alike)."""
    f, cx, cy = camera[0, 0], camera[0, 2], camera[1, 2]
    s = np.maximum(scale, 1e-9)
    return rotation, np.stack([(shift[:, 0] - cx) / s, (shift[:, 1] - cy) / s, f / s], axis=1)


def _project(obj: np.ndarray, rot: np.ndarray, t: np.ndarray, camera: np.ndarray):
    q = obj @ np.swapaxes(rot, -1, -2)  # [N, M, 3] rotated object
    p = q + t[:, None, :]
    z = np.maximum(p[..., 2], 1e-9)
    proj = camera[0, 0] * p[..., :2] / z[..., None] + camera[:2, 2]
    return q, p, z, proj


def solve_pnp(
    obj: np.ndarray,
    image: np.ndarray,
    camera: np.ndarray,
    rotation: np.ndarray,
    translation: np.ndarray,
    max_iterations: int = 50,
    tolerance: float = 1e-10,
) -> PnpResult:
    """Refine poses [N] of obj [M, 3] seen at image [N, M, 2] through the pinhole `camera` [3, 3].

    Marquardt damping per frame; a frame stops when its relative cost change falls below
    `tolerance` (the rest keep iterating, all in the same arrays).
    """
    obj = np.asarray(obj, np.float64)
    image = np.asarray(image, np.float64)
    rot, t = np.array(rotation, np.float64), np.array(translation, np.float64)
    f = float(camera[0, 0])
    n = len(image)
    lam = np.full(n, 1e-3)
    q, p, z, proj = _project(obj, rot, t, camera)
    cost = ((proj - image) ** 2).sum(axis=(1, 2))
    active = np.ones(n, bool)
    it = 0
    for it in range(1, max_iterations + 1):  # noqa: B007 - the count is reported
        a = np.flatnonzero(active)
        if len(a) == 0:
            break
        jac = _jacobian(q[a], p[a], z[a], f).reshape(len(a), -1, 6)
        res = (proj[a] - image[a]).reshape(len(a), -1)
        jac_t = np.swapaxes(jac, -1, -2)
        jtj = jac_t @ jac
        grad = (jac_t @ res[..., None])[..., 0]
        damped = jtj + lam[a, None, None] * (jtj * np.eye(6))
        step = np.linalg.solve(damped, -grad[..., None])[..., 0]
        new_rot = rodrigues(step[:, :3]) @ rot[a]
        new_t = t[a] + step[:, 3:]
        nq, np_, nz, nproj = _project(obj, new_rot, new_t, camera)
        new_cost = ((nproj - image[a]) ** 2).sum(axis=(1, 2))
        better = new_cost <= cost[a]
        take = a[better]
        rot[take], t[take] = new_rot[better], new_t[better]
        q[take], p[take], z[take], proj[take] = nq[better], np_[better], nz[better], nproj[better]
        change = np.abs(cost[a] - new_cost) / np.maximum(cost[a], 1e-300)
        cost[take] = new_cost[better]
        lam[a] = np.where(better, np.maximum(lam[a] / 10, 1e-12), np.minimum(lam[a] * 10, 1e12))
        done = (better & (change < tolerance)) | (np.abs(step).max(axis=1) < 1e-14) | (lam[a] >= 1e12)
        active[a[done]] = False
    return PnpResult(rot, t, proj, it)
