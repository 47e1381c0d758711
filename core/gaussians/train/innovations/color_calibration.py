"""Colour calibration network (seed innovation): a per-pixel MLP 3->16->16->3 on the render.

It absorbs global colour shifts between the video and what Gaussians can represent (white
balance, exposure drift, codec tint), so the Gaussians' colours need not. It is residual with its
last layer initialised to zero (it starts as the identity), and ``reg`` x mean squared correction
keeps it small. It is applied to every render at training and evaluation time.
"""

from __future__ import annotations

from torch import Tensor, nn


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
