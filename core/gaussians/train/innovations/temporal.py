"""Temporal consistency (seed innovation) on per-frame mesh corrections being fine-tuned.

Tracking from monocular video jitters; GaussianAvatars fine-tunes per-frame FLAME parameters.
Here the fine-tuned parameters are a per-frame rigid correction (axis-angle rotation about the
mesh centroid and a translation, in units of the scene extent), initialised to zero; they work on
any mesh (MediaPipe or FLAME). The temporal loss penalises their first and second differences over
consecutive training frames, so corrections follow the motion instead of jittering frame by frame.

The corrections are trained when ``train.finetune_mesh`` or this section is on (the loss only with
the section). The trained avatar keeps them with the clip frame numbers they belong to, and every
use of the avatar on its clip (evaluation, PLY export, audio-driven render) poses it on the
corrected mesh; a frame without a correction (not in the training data) keeps its tracked mesh.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from core.gaussians.train.config import GaussianConfig
from core.gaussians.train.data import AvatarData
from core.gaussians.train.innovations.base import Innovation, StepInput


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


def apply_correction(vertices: Tensor, p: Tensor, extent: float) -> Tensor:
    """``(v - c) R^T + c + t * extent`` for one correction ``p`` [6] (axis-angle, translation)."""
    R = axis_angle_to_matrix(p[:3])
    centre = vertices.mean(dim=0, keepdim=True).detach()
    return (vertices - centre) @ R.T + centre + p[3:] * extent


class MeshCorrections(nn.Module):
    """Per-frame rigid corrections [F, 6] applied to mesh vertices [V, 3]."""

    def __init__(self, n_frames: int, extent: float) -> None:
        super().__init__()
        self.params = nn.Parameter(torch.zeros(n_frames, 6))
        self.extent = float(extent)

    def forward(self, vertices: Tensor, frame: int) -> Tensor:
        return apply_correction(vertices, self.params[frame], self.extent)


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


class Temporal(Innovation):
    """Per-frame mesh corrections (rows = the data's meshes) and their smoothness loss."""

    name = "temporal"
    corrections: MeshCorrections
    optimizer: torch.optim.Adam | None = None

    @classmethod
    def active(cls, cfg: GaussianConfig) -> bool:
        return cfg.mesh_finetuned

    def _index(self, frames: np.ndarray) -> None:
        self.frames = np.asarray(frames, dtype=np.int64)
        self.rows = {int(f): i for i, f in enumerate(self.frames)}

    def setup(self, data: AvatarData, device: torch.device) -> None:
        self.corrections = MeshCorrections(int(data.verts.shape[0]), data.extent).to(device)
        self.optimizer = torch.optim.Adam(self.corrections.parameters(), lr=self.cfg.optim.mesh_lr)
        self._index(data.clip_frames)
        self.train_meshes = data.mesh_ids(data.train_ids).to(device)

    def optimizers(self) -> list[torch.optim.Optimizer]:
        return [self.optimizer] if self.optimizer is not None else []

    def pose(self, verts: Tensor, frame: int) -> Tensor:
        row = self.rows.get(int(frame))
        return verts if row is None else self.corrections(verts, row)

    def losses(self, inp: StepInput) -> dict[str, Tensor]:
        if not self.cfg.innovations.temporal.enabled:
            return {}
        return {"temporal": temporal_loss(self.corrections.params, self.train_meshes, self.section.weight)}

    def state_dict(self) -> dict[str, Any]:
        assert self.optimizer is not None
        return {"corrections": self.corrections.state_dict(), "optimizer": self.optimizer.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        assert self.optimizer is not None
        self.corrections.load_state_dict(state["corrections"])
        self.optimizer.load_state_dict(state["optimizer"])

    def export(self) -> dict[str, Any]:
        return {
            "params": self.corrections.params.detach().cpu(),
            "frames": torch.from_numpy(self.frames.copy()),
            "extent": self.corrections.extent,
        }

    @classmethod
    def restore(cls, cfg: GaussianConfig, state: dict[str, Any], device: torch.device | str) -> Innovation:
        hook = cls(cfg, device)
        params = state["params"]
        hook.corrections = MeshCorrections(int(params.shape[0]), float(state["extent"]))
        with torch.no_grad():
            hook.corrections.params.copy_(params)
        hook.corrections = hook.corrections.to(device).requires_grad_(False)
        hook._index(np.asarray(state["frames"]))
        return hook
