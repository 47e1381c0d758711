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
    """d proj / d (w, t) [A, 6, 2, M] for rotated points q and camera points p = q + t [A, 3, M]
    (coordinates first: every row below is written as contiguous runs of M).

    d proj / d p has rows r_u = f/z (1, 0, -x/z), r_v = f/z (0, 1, -y/z); d p / d w = -[q]x, so the
    rotation columns of each row are q x r; the translation columns are r itself.
    """
    g = f / z
    gxz, gyz = g * (p[:, 0] / z), g * (p[:, 1] / z)
    qx, qy, qz = q[:, 0], q[:, 1], q[:, 2]
    jac = np.empty((len(z), 6, 2, z.shape[-1]))
    jac[:, 0, 0] = -qy * gxz
    jac[:, 1, 0] = g * qz + qx * gxz
    jac[:, 2, 0] = -g * qy
    jac[:, 3, 0] = g
    jac[:, 4, 0] = 0.0
    jac[:, 5, 0] = -gxz
    jac[:, 0, 1] = -(qy * gyz + g * qz)
    jac[:, 1, 1] = qx * gyz
    jac[:, 2, 1] = g * qx
    jac[:, 3, 1] = 0.0
    jac[:, 4, 1] = g
    jac[:, 5, 1] = -gyz
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


def _project(obj_t: np.ndarray, rot: np.ndarray, t: np.ndarray, camera: np.ndarray):
    """The object obj_t [3, M] posed and projected: q = R X and p = q + t [N, 3, M], the depth
    z [N, M] and the image points [N, 2, M] (coordinates first)."""
    q = rot @ obj_t  # [N, 3, M] rotated object, one matrix product per frame
    p = q + t[:, :, None]
    z = np.maximum(p[:, 2], 1e-9)
    proj = camera[0, 0] * p[:, :2] / z[:, None, :] + camera[:2, 2, None]
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
    `tolerance`. The frames still iterating are kept packed at the front of the working arrays
    (a frame that stops is written out and dropped), so no step gathers or scatters all frames.
    """
    obj_t = np.ascontiguousarray(np.asarray(obj, np.float64).T)  # [3, M]
    image_t = np.ascontiguousarray(np.swapaxes(np.asarray(image, np.float64), 1, 2))  # [N, 2, M]
    rot, t = np.array(rotation, np.float64), np.array(translation, np.float64)
    f = float(camera[0, 0])
    n = len(image_t)
    out_rot, out_t, out_proj = rot.copy(), t.copy(), np.empty_like(image_t)
    ids = np.arange(n)  # the frames still iterating, in the working arrays' order
    lam = np.full(n, 1e-3)
    q, p, z, proj = _project(obj_t, rot, t, camera)
    img = image_t
    cost = ((proj - img) ** 2).sum(axis=(1, 2))
    eye = np.eye(6)
    it = 0
    for it in range(1, max_iterations + 1):  # noqa: B007 - the count is reported
        if len(ids) == 0:
            break
        count = len(ids)
        jac = _jacobian(q, p, z, f).reshape(count, 6, -1)  # [A, 6, 2M]
        res = (proj - img).reshape(count, -1)  # [A, 2M], the same order
        jtj = jac @ np.swapaxes(jac, -1, -2)
        grad = (jac @ res[..., None])[..., 0]
        damped = jtj + lam[:, None, None] * (jtj * eye)
        step = np.linalg.solve(damped, -grad[..., None])[..., 0]
        new_rot = rodrigues(step[:, :3]) @ rot
        new_t = t + step[:, 3:]
        nq, np_, nz, nproj = _project(obj_t, new_rot, new_t, camera)
        new_cost = ((nproj - img) ** 2).sum(axis=(1, 2))
        better = new_cost <= cost
        change = np.abs(cost - new_cost) / np.maximum(cost, 1e-300)
        if better.all():
            rot, t, q, p, z, proj, cost = new_rot, new_t, nq, np_, nz, nproj, new_cost
        else:
            rot[better], t[better], cost[better] = new_rot[better], new_t[better], new_cost[better]
            q[better], p[better], z[better], proj[better] = nq[better], np_[better], nz[better], nproj[better]
        lam = np.where(better, np.maximum(lam / 10, 1e-12), np.minimum(lam * 10, 1e12))
        done = (better & (change < tolerance)) | (np.abs(step).max(axis=1) < 1e-14) | (lam >= 1e12)
        if done.any():
            finished = ids[done]
            out_rot[finished], out_t[finished], out_proj[finished] = rot[done], t[done], proj[done]
            keep = ~done
            ids, lam, cost, img = ids[keep], lam[keep], cost[keep], img[keep]
            rot, t, q, p, z, proj = rot[keep], t[keep], q[keep], p[keep], z[keep], proj[keep]
    if len(ids):  # stopped by max_iterations
        out_rot[ids], out_t[ids], out_proj[ids] = rot, t, proj
    return PnpResult(out_rot, out_t, np.ascontiguousarray(np.swapaxes(out_proj, 1, 2)), it)
