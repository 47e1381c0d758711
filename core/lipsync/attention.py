"""Attention modules for the DINet family, each switchable from `AttentionConfig`.

Every module maps features x [B, C, h, w] to (x + x * a, a) with a spatial map a [B, 1, h, w]
in [0, 1] ("residual attention": a map of zeros leaves the features unchanged, so switching a
module on never blocks the signal). `AttentionBlock` combines the enabled modules at one
insertion point and reports every map; `maps_to_image` resizes them to the crop for the GUI.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from core.lipsync.config import AttentionConfig
from core.lipsync.geometry import CropGeometry


class SpatialChannelAttention(nn.Module):
    """CBAM-style: channel gate from avg+max pooled features, then a 7x7 spatial gate."""

    def __init__(self, channels: int, reduction: int = 8) -> None:
        super().__init__()
        hidden = max(channels // reduction, 8)
        self.mlp = nn.Sequential(
            nn.Conv2d(channels, hidden, 1), nn.ReLU(inplace=True), nn.Conv2d(hidden, channels, 1)
        )
        self.spatial = nn.Conv2d(2, 1, 7, padding=3)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        gate = torch.sigmoid(self.mlp(x.mean((2, 3), keepdim=True)) + self.mlp(x.amax((2, 3), keepdim=True)))
        y = x * gate
        stats = torch.cat([y.mean(1, keepdim=True), y.amax(1, keepdim=True)], dim=1)
        a = torch.sigmoid(self.spatial(stats))
        return x + y * a, a


class MouthAttention(nn.Module):
    """Spatial attention biased towards the mouth box by a soft prior mask (learned strength)."""

    def __init__(self, channels: int, geometry: CropGeometry, softness: float = 0.25) -> None:
        super().__init__()
        self.geometry = geometry
        self.softness = softness
        self.conv = nn.Sequential(
            nn.Conv2d(channels, max(channels // 4, 4), 3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(max(channels // 4, 4), 1, 3, padding=1),
        )
        self.prior_gain = nn.Parameter(torch.tensor(1.0))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        prior = self.geometry.mouth_prior(tuple(x.shape[-2:]), x.device, self.softness).to(x.dtype)
        a = torch.sigmoid(self.conv(x) + self.prior_gain * (4.0 * prior - 2.0))
        return x + x * a, a


class MultiScaleAttention(nn.Module):
    """Spatial logits at several pooling scales (default 1, 2, 4) mixed with learned weights."""

    def __init__(self, channels: int, scales: tuple[int, ...] = (1, 2, 4)) -> None:
        super().__init__()
        self.scales = tuple(scales)
        self.heads = nn.ModuleList(nn.Conv2d(channels, 1, 3, padding=1) for _ in self.scales)
        self.scale_logits = nn.Parameter(torch.zeros(len(self.scales)))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        size = x.shape[-2:]
        weights = torch.softmax(self.scale_logits, dim=0)
        logits = torch.zeros_like(x[:, :1])
        for i, (s, head) in enumerate(zip(self.scales, self.heads, strict=True)):
            z = F.avg_pool2d(x, s, ceil_mode=True) if s > 1 else x
            z = head(z)
            if s > 1:
                z = F.interpolate(z, size=size, mode="bilinear", align_corners=False)
            logits = logits + weights[i] * z
        a = torch.sigmoid(logits)
        return x + x * a, a


class AttentionBlock(nn.Module):
    """The enabled attention modules at one insertion point.

    Sequential (fusion off): modules run one after another. Adaptive fusion (on, with at least
    two modules): each runs on the same input and outputs are mixed by softmax weights
    predicted from the pooled input plus a learned bias. Returns (features, {name: map}).
    """

    def __init__(self, channels: int, cfg: AttentionConfig, geometry: CropGeometry) -> None:
        super().__init__()
        mods: dict[str, nn.Module] = {}
        if cfg.spatial_channel:
            mods["spatial_channel"] = SpatialChannelAttention(channels, cfg.reduction)
        if cfg.mouth:
            mods["mouth"] = MouthAttention(channels, geometry, cfg.mouth_prior_softness)
        if cfg.multi_scale:
            mods["multi_scale"] = MultiScaleAttention(channels, cfg.scales)
        self.branches = nn.ModuleDict(mods)
        self.fuse = cfg.fusion and len(mods) >= 2
        if self.fuse:
            self.fusion_head = nn.Linear(channels, len(mods))
            self.fusion_bias = nn.Parameter(torch.zeros(len(mods)))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        maps: dict[str, torch.Tensor] = {}
        if not self.fuse:
            for name, mod in self.branches.items():
                x, maps[name] = mod(x)
            return x, maps
        outs = []
        for name, mod in self.branches.items():
            y, maps[name] = mod(x)
            outs.append(y)
        w = torch.softmax(self.fusion_head(x.mean((2, 3))) + self.fusion_bias, dim=1)  # [B, K]
        fused = sum(w[:, i, None, None, None] * o for i, o in enumerate(outs))
        maps["fused"] = sum(w[:, i, None, None, None] * m for i, m in enumerate(maps.values()))
        return fused, maps


def maps_to_image(maps: dict[str, torch.Tensor], size: tuple[int, int]) -> dict[str, torch.Tensor]:
    """Resize attention maps [B, 1, h, w] to the crop size, clamped to [0, 1] (overlay-ready)."""
    return {
        k: F.interpolate(m, size=size, mode="bilinear", align_corners=False).clamp(0.0, 1.0)
        for k, m in maps.items()
    }
