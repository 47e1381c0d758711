"""Quaternion helpers (w, x, y, z order, as gsplat and 3DGS PLY files use)."""

from __future__ import annotations

import torch
from torch import Tensor


def quat_to_rotmat(quats: Tensor) -> Tensor:
    """Rotation matrices [..., 3, 3] from quaternions [..., 4] (normalised here)."""
    q = quats / quats.norm(dim=-1, keepdim=True).clamp_min(1e-12)
    w, x, y, z = q.unbind(-1)
    rows = [
        1 - 2 * (y * y + z * z),
        2 * (x * y - w * z),
        2 * (x * z + w * y),
        2 * (x * y + w * z),
        1 - 2 * (x * x + z * z),
        2 * (y * z - w * x),
        2 * (x * z - w * y),
        2 * (y * z + w * x),
        1 - 2 * (x * x + y * y),
    ]
    return torch.stack(rows, dim=-1).reshape((*q.shape[:-1], 3, 3))


def rotmat_to_quat(R: Tensor) -> Tensor:
    """Unit quaternions [..., 4] with w >= 0 from rotation matrices [..., 3, 3].

    Shepperd's method: of the four algebraically equivalent formulas, take the one whose divisor is
    largest for each matrix, which keeps it stable for every rotation.
    """
    m00, m01, m02 = R[..., 0, 0], R[..., 0, 1], R[..., 0, 2]
    m10, m11, m12 = R[..., 1, 0], R[..., 1, 1], R[..., 1, 2]
    m20, m21, m22 = R[..., 2, 0], R[..., 2, 1], R[..., 2, 2]
    traces = torch.stack(
        [1 + m00 + m11 + m22, 1 + m00 - m11 - m22, 1 - m00 + m11 - m22, 1 - m00 - m11 + m22], dim=-1
    )
    best = traces.argmax(dim=-1, keepdim=True)
    s0, s1, s2, s3 = (torch.sqrt(traces.clamp_min(1e-12)) * 2).unbind(-1)  # 4 * largest component
    cands = torch.stack(
        [
            torch.stack([s0 / 4, (m21 - m12) / s0, (m02 - m20) / s0, (m10 - m01) / s0], -1),
            torch.stack([(m21 - m12) / s1, s1 / 4, (m01 + m10) / s1, (m02 + m20) / s1], -1),
            torch.stack([(m02 - m20) / s2, (m01 + m10) / s2, s2 / 4, (m12 + m21) / s2], -1),
            torch.stack([(m10 - m01) / s3, (m02 + m20) / s3, (m12 + m21) / s3, s3 / 4], -1),
        ],
        dim=-2,
    )  # [..., 4 candidates, 4]
    q = torch.gather(cands, -2, best[..., None].expand((*best.shape[:-1], 1, 4))).squeeze(-2)
    q = q * torch.where(q[..., :1] < 0, -1.0, 1.0)
    return q / q.norm(dim=-1, keepdim=True)


def quat_multiply(a: Tensor, b: Tensor) -> Tensor:
    """Hamilton product ``a * b`` [..., 4] (apply ``b`` first, then ``a``)."""
    aw, ax, ay, az = a.unbind(-1)
    bw, bx, by, bz = b.unbind(-1)
    return torch.stack(
        [
            aw * bw - ax * bx - ay * by - az * bz,
            aw * bx + ax * bw + ay * bz - az * by,
            aw * by - ax * bz + ay * bw + az * bx,
            aw * bz + ax * by - ay * bx + az * bw,
        ],
        dim=-1,
    )
