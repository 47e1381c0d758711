"""VGG19 perceptual loss over an image pyramid (DINet style: several scales, several layers)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from core.losses.vgg19 import VGG19Features


class PerceptualLoss(nn.Module):
    """Mean over scales and layers of L1 between VGG19 activations; inputs RGB [B, 3, H, W] in [0, 1].

    The target's activations are computed without gradient. Multiply by `lamb_perception`.
    """

    def __init__(self, vgg: VGG19Features, scales: tuple[float, ...] = (1.0, 0.5, 0.25)) -> None:
        super().__init__()
        if not scales or any(s <= 0 or s > 1 for s in scales):
            raise ValueError(f"scales must be in (0, 1], got {scales}")
        self.vgg = vgg
        self.scales = tuple(scales)

    def forward(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        if pred.shape != target.shape:
            raise ValueError(f"shape mismatch: {tuple(pred.shape)} vs {tuple(target.shape)}")
        terms = []
        for s in self.scales:
            p, t = pred, target
            if s != 1.0:
                p = F.interpolate(pred, scale_factor=s, mode="bilinear", align_corners=False, antialias=True)
                t = F.interpolate(
                    target, scale_factor=s, mode="bilinear", align_corners=False, antialias=True
                )
            with torch.no_grad():
                t_feats = self.vgg(t)
            for pf, tf in zip(self.vgg(p), t_feats, strict=True):
                terms.append((pf - tf).abs().mean())
        return torch.stack(terms).mean()
