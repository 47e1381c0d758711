"""AdaAT: adaptive affine transformation of reference features (DINet, CVPR 2023 idea).

Each feature channel of the reference feature map gets its own scale, rotation and translation,
predicted from a parameter code that summarises source and reference features. The transform
moves the references' mouth content to where the source needs it, without optical flow.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


class AdaAT(nn.Module):
    """Per-channel affine warp of `features` [B, C, H, W] driven by `code` [B, P]."""

    def __init__(self, code_dim: int, channels: int, hidden: int | None = None) -> None:
        super().__init__()
        hidden = hidden or max(code_dim, channels)
        self.channels = channels
        self.shared = nn.Sequential(nn.Linear(code_dim, hidden), nn.ReLU(inplace=True))
        self.scale = nn.Linear(hidden, channels)
        self.rotation = nn.Linear(hidden, channels)
        self.translation = nn.Linear(hidden, 2 * channels)
        for head in (self.scale, self.rotation, self.translation):
            # Start near the identity warp; small (not zero) weights keep gradients flowing back.
            nn.init.normal_(head.weight, std=1e-3)
            nn.init.zeros_(head.bias)

    def params(self, code: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(scale [B, C] in (0, 2), angle [B, C] in (-pi, pi), shift [B, C, 2] in (-1, 1))."""
        h = self.shared(code)
        scale = 2.0 * torch.sigmoid(self.scale(h))
        angle = math.pi * torch.tanh(self.rotation(h))
        shift = torch.tanh(self.translation(h)).view(code.shape[0], self.channels, 2)
        return scale, angle, shift

    def forward(self, features: torch.Tensor, code: torch.Tensor) -> torch.Tensor:
        b, c, h, w = features.shape
        scale, angle, shift = self.params(code)
        cos, sin = torch.cos(angle) * scale, torch.sin(angle) * scale
        ys = torch.linspace(-1.0, 1.0, h, device=features.device, dtype=features.dtype)
        xs = torch.linspace(-1.0, 1.0, w, device=features.device, dtype=features.dtype)
        gy, gx = torch.meshgrid(ys, xs, indexing="ij")  # [H, W]
        gx, gy = gx[None, None], gy[None, None]
        cos, sin = cos[..., None, None], sin[..., None, None]
        sx = cos * gx - sin * gy + shift[..., 0, None, None]  # [B, C, H, W]
        sy = sin * gx + cos * gy + shift[..., 1, None, None]
        grid = torch.stack([sx, sy], dim=-1).reshape(b * c, h, w, 2)
        warped = F.grid_sample(
            features.reshape(b * c, 1, h, w), grid, mode="bilinear", padding_mode="zeros", align_corners=True
        )
        return warped.view(b, c, h, w)
