"""Perceptual loss (seed innovation): VGG19 features of the render vs the frame.

Uses the project's VGG19 (:mod:`core.losses.vgg19`) and pyramid perceptual loss; the weights file
is required, and a missing one is a BadInput naming the file and where it was looked for. The
network is loaded when the innovation is built, so the error comes before any training. On CUDA
it runs under autocast (``Amp``).
"""

from __future__ import annotations

import torch
from torch import Tensor

from core.gaussians.train.config import GaussianConfig, PerceptualConfig
from core.gaussians.train.innovations.base import Innovation, StepInput
from core.jobs.message import Text
from core.losses.perceptual import PerceptualLoss
from core.losses.vgg19 import load_vgg19


def build(cfg: PerceptualConfig, device: torch.device) -> PerceptualLoss:
    vgg = load_vgg19(
        cfg.vgg19_path or None,
        layers=("relu1_1", "relu2_1", "relu3_1"),
        device=device,
        path_key="innovations.perceptual.vgg19_path",
        turn_off=Text("turn the innovation off (innovations.perceptual.enabled = false)"),
    )
    return PerceptualLoss(vgg, scales=(1.0,)).to(device)


def perceptual_loss(loss_fn: PerceptualLoss, render: Tensor, target: Tensor, weight: float) -> Tensor:
    """``weight`` x VGG19 feature L1 between two [H, W, 3] images."""
    return weight * loss_fn(render.permute(2, 0, 1)[None], target.permute(2, 0, 1)[None])


class Perceptual(Innovation):
    name = "perceptual"

    def __init__(self, cfg: GaussianConfig, device: torch.device | str) -> None:
        super().__init__(cfg, device)
        self.loss_fn = build(cfg.innovations.perceptual, self.device)

    def losses(self, inp: StepInput) -> dict[str, Tensor]:
        assert inp.image is not None
        with inp.amp.autocast():
            value = perceptual_loss(self.loss_fn, inp.image, inp.target, self.section.weight)
        return {"perceptual": value.float()}
