"""Gaussians bound to mesh triangles (GaussianAvatars formulation) as pure functions.

Each triangle ``(v0, v1, v2)`` of the posed mesh gets a local frame:

* origin: the centroid ``(v0 + v1 + v2) / 3``;
* orientation ``R = [x y z]`` (columns): ``x`` along the edge ``v1 - v0``, ``z`` the unit normal
  ``(v1 - v0) x (v2 - v0)``, ``y = z x x``;
* scale ``k``: the mean of the three edge lengths (isotropic), so Gaussians grow and shrink with
  the local mesh.

A bound Gaussian stores its parameters in that frame; its world parameters are

    mean = R @ (k * local_mean) + centroid,   rotation = quat(R) * local_quat,
    scale = k * exp(log_scale),   opacity = sigmoid(opacity_logit).

The triangle index (``binding``) is data, not state: densification copies it to the children.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import torch
from torch import Tensor

from core.gaussians.render.base import GaussiansWorld
from core.gaussians.render.sh import rgb_to_sh0
from core.gaussians.rotations import quat_multiply, rotmat_to_quat


@dataclass
class FaceFrames:
    """Per-triangle frames of one posed mesh (F triangles)."""

    centers: Tensor  # [F, 3]
    rotations: Tensor  # [F, 3, 3] columns: edge direction, in-plane normal to it, face normal
    scales: Tensor  # [F] mean edge length


@dataclass
class BoundGaussians:
    """Trainable Gaussian parameters expressed in their triangle's frame (N Gaussians)."""

    local_means: Tensor  # [N, 3] in units of the triangle scale
    local_quats: Tensor  # [N, 4] (w, x, y, z)
    log_scales: Tensor  # [N, 3] log of the scale relative to the triangle scale
    opacity_logits: Tensor  # [N]
    sh: Tensor  # [N, K, 3]
    binding: Tensor  # [N] long, triangle index

    @property
    def count(self) -> int:
        return int(self.binding.shape[0])

    def tensors(self) -> dict[str, Tensor]:
        """The parameters by name (for optimizers, checkpoints and PLY files)."""
        return {
            "local_means": self.local_means,
            "local_quats": self.local_quats,
            "log_scales": self.log_scales,
            "opacity_logits": self.opacity_logits,
            "sh": self.sh,
            "binding": self.binding,
        }

    def select(self, mask_or_index: Tensor) -> BoundGaussians:
        return BoundGaussians(**{k: v[mask_or_index] for k, v in self.tensors().items()})

    def to(self, device: torch.device | str) -> BoundGaussians:
        return BoundGaussians(**{k: v.to(device) for k, v in self.tensors().items()})


def face_frames(verts: Tensor, faces: Tensor, eps: float = 1e-12) -> FaceFrames:
    """Frames of every triangle of a posed mesh: ``verts`` [V, 3] float, ``faces`` [F, 3] long."""
    v0, v1, v2 = verts[faces[:, 0]], verts[faces[:, 1]], verts[faces[:, 2]]
    e01, e02, e12 = v1 - v0, v2 - v0, v2 - v1
    x = e01 / e01.norm(dim=-1, keepdim=True).clamp_min(eps)
    normal = torch.linalg.cross(e01, e02)
    z = normal / normal.norm(dim=-1, keepdim=True).clamp_min(eps)
    y = torch.linalg.cross(z, x)
    scales = (e01.norm(dim=-1) + e02.norm(dim=-1) + e12.norm(dim=-1)) / 3.0
    return FaceFrames(centers=(v0 + v1 + v2) / 3.0, rotations=torch.stack([x, y, z], dim=-1), scales=scales)


def bound_to_world(bound: BoundGaussians, frames: FaceFrames) -> GaussiansWorld:
    """World-space Gaussians of ``bound`` on the mesh whose frames are ``frames`` (differentiable)."""
    R = frames.rotations[bound.binding]  # [N, 3, 3]
    k = frames.scales[bound.binding][:, None]  # [N, 1]
    means = (R @ (bound.local_means * k)[..., None]).squeeze(-1) + frames.centers[bound.binding]
    quats = quat_multiply(rotmat_to_quat(R), bound.local_quats)
    return GaussiansWorld(
        means=means,
        quats=quats,
        scales=torch.exp(bound.log_scales) * k,
        opacities=torch.sigmoid(bound.opacity_logits),
        sh=bound.sh,
    )


def world_on_mesh(bound: BoundGaussians, verts: Tensor, faces: Tensor) -> GaussiansWorld:
    """Shortcut: frames of the posed mesh, then :func:`bound_to_world`."""
    return bound_to_world(bound, face_frames(verts, faces))


def init_bound_gaussians(
    num_faces: int,
    sh_degree: int = 0,
    relative_scale: float = 0.5,
    opacity: float = 0.1,
    rgb: tuple[float, float, float] = (0.5, 0.5, 0.5),
    device: torch.device | str = "cpu",
) -> BoundGaussians:
    """One Gaussian per triangle at its centroid, identity rotation, isotropic scale ``relative_scale``."""
    if not 0.0 < opacity < 1.0:
        raise ValueError(f"opacity must be in (0, 1), got {opacity}")
    n = num_faces
    sh = torch.zeros(n, (sh_degree + 1) ** 2, 3, device=device)
    sh[:, 0, :] = rgb_to_sh0(torch.tensor(rgb, device=device))
    return BoundGaussians(
        local_means=torch.zeros(n, 3, device=device),
        local_quats=torch.tensor([1.0, 0.0, 0.0, 0.0], device=device).repeat(n, 1),
        log_scales=torch.full((n, 3), math.log(relative_scale), device=device),
        opacity_logits=torch.full((n,), math.log(opacity / (1.0 - opacity)), device=device),
        sh=sh,
        binding=torch.arange(n, device=device, dtype=torch.long),
    )


def with_requires_grad(bound: BoundGaussians) -> BoundGaussians:
    """A copy whose float tensors are leaf parameters (the binding stays an integer tensor)."""
    tensors = {
        k: (v.detach().clone().requires_grad_(True) if v.is_floating_point() else v.clone())
        for k, v in bound.tensors().items()
    }
    return replace(bound, **tensors)
