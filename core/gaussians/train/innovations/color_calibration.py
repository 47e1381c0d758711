"""Colour calibration network (seed innovation): a per-pixel MLP 3->16->16->3 on the render.

It absorbs global colour shifts between the video and what Gaussians can represent (white
balance, exposure drift, codec tint), so the Gaussians' colours need not. It is residual with its
last layer initialised to zero (it starts as the identity), and ``reg`` x mean squared correction
keeps it small. It is applied to every render at training and evaluation time, and kept in the
trained avatar.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from core.gaussians.train.config import GaussianConfig
from core.gaussians.train.data import AvatarData
from core.gaussians.train.innovations.base import Innovation


class ColorCalibration(nn.Module):
    def __init__(self, hidden: int = 16) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(3, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 3)
        )
        nn.init.zeros_(self.net[-1].weight)
        nn.init.zeros_(self.net[-1].bias)

    def forward(self, image: Tensor) -> tuple[Tensor, Tensor]:
        """(calibrated image [..., 3], mean squared correction) for an image [..., 3]."""
        delta = self.net(image)
        return image + delta, (delta * delta).mean()


def calibration_loss(reg_weight: float, correction: Tensor) -> Tensor:
    return reg_weight * correction


def parameter_count(model: nn.Module) -> int:
    return sum(int(p.numel()) for p in model.parameters())


class ColorCalibrationInnovation(Innovation):
    name = "color_calibration"
    net: ColorCalibration
    optimizer: torch.optim.Adam | None = None

    def setup(self, data: AvatarData, device: torch.device) -> None:
        torch.manual_seed(self.cfg.train.seed)
        self.net = ColorCalibration(self.section.hidden).to(device)
        self.optimizer = torch.optim.Adam(self.net.parameters(), lr=self.section.lr)

    def optimizers(self) -> list[torch.optim.Optimizer]:
        return [self.optimizer] if self.optimizer is not None else []

    def transform_image(self, image: Tensor) -> tuple[Tensor, dict[str, Tensor]]:
        out, correction = self.net(image)
        return out, {"calibration_reg": calibration_loss(self.section.reg, correction)}

    def state_dict(self) -> dict[str, Any]:
        assert self.optimizer is not None
        return {"net": self.net.state_dict(), "optimizer": self.optimizer.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        assert self.optimizer is not None
        self.net.load_state_dict(state["net"])
        self.optimizer.load_state_dict(state["optimizer"])

    def export(self) -> dict[str, Any]:
        return {"net": {k: v.detach().cpu() for k, v in self.net.state_dict().items()}}

    @classmethod
    def restore(cls, cfg: GaussianConfig, state: dict[str, Any], device: torch.device | str) -> Innovation:
        hook = cls(cfg, device)
        hook.net = ColorCalibration(hook.section.hidden)
        hook.net.load_state_dict(state["net"])
        hook.net = hook.net.to(device).eval()
        return hook
