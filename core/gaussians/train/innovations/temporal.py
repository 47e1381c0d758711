"""Temporal consistency (seed innovation) on per-frame mesh corrections being fine-tuned.

Tracking from monocular video jitters; GaussianAvatars fine-tunes per-frame FLAME parameters.
For the MediaPipe mesh the fine-tuned parameters are a per-frame rigid correction (axis-angle
rotation about the mesh centroid and a translation, in units of the scene extent), initialised
to zero. The temporal loss penalises their first and second differences over consecutive
training frames, so corrections follow the motion instead of jittering frame by frame.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn


def axis_angle_to_matrix(v: Tensor) -> Tensor:
    """Rotation matrices [..., 3, 3] from axis-angle vectors [..., 3] (Rodrigues)."""
    theta = v.norm(dim=-1, keepdim=True).clamp_min(1e-12)
    k = v / theta
    kx, ky, kz = k.unbind(-1)
    zero = torch.zeros_like(kx)
    K = torch.stack([zero, -kz, ky, kz, zero, -kx, -ky, kx, zero], dim=-1).reshape(*v.shape[:-1], 3, 3)
    s, c = torch.sin(theta)[..., None], torch.cos(theta)[..., None]
    eye = torch.eye(3, dtype=v.dtype, device=v.device).expand_as(K)
    return eye + s * K + (1 - c) * (K @ K)


class MeshCorrections(nn.Module):
    """Per-frame rigid corrections [F, 6] applied to mesh vertices [V, 3]."""

    def __init__(self, n_frames: int, extent: float) -> None:
        super().__init__()
        self.params = nn.Parameter(torch.zeros(n_frames, 6))
        self.extent = float(extent)

    def forward(self, vertices: Tensor, frame: int) -> Tensor:
        p = self.params[frame]
        R = axis_angle_to_matrix(p[:3])
        centre = vertices.mean(dim=0, keepdim=True).detach()
        return (vertices - centre) @ R.T + centre + p[3:] * self.extent


def temporal_loss(params: Tensor, frames: Tensor, weight: float) -> Tensor:
    """``weight`` x mean squared (first + second) differences of ``params[frames]`` [F, D], sorted."""
    p = params[frames]
    loss = p.new_zeros(())
    if p.shape[0] >= 2:
        d1 = p[1:] - p[:-1]
        loss = loss + (d1 * d1).sum(-1).mean()
    if p.shape[0] >= 3:
        d2 = p[2:] - 2 * p[1:-1] + p[:-2]
        loss = loss + (d2 * d2).sum(-1).mean()
    return weight * loss
