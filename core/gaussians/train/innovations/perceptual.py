"""Perceptual loss (seed innovation): VGG19 features of the render vs the frame.

Uses the project's VGG19 (:mod:`core.losses.vgg19`) and pyramid perceptual loss; the weights file
is required, and a missing one is a BadInput naming the file and where it was looked for. Call
:func:`build` when the job starts so the error comes before any training.
"""

from __future__ import annotations

import torch
from torch import Tensor

from core.gaussians.train.config import PerceptualConfig
from core.losses.perceptual import PerceptualLoss
from core.losses.vgg19 import load_vgg19


def build(cfg: PerceptualConfig, device: torch.device) -> PerceptualLoss:
    vgg = load_vgg19(cfg.vgg19_path or None, layers=("relu1_1", "relu2_1", "relu3_1"), device=device)
    return PerceptualLoss(vgg, scales=(1.0,)).to(device)


def perceptual_loss(loss_fn: PerceptualLoss, render: Tensor, target: Tensor, weight: float) -> Tensor:
    """``weight`` x VGG19 feature L1 between two [H, W, 3] images."""
    return weight * loss_fn(render.permute(2, 0, 1)[None], target.permute(2, 0, 1)[None])
