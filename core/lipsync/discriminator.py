"""Multi-scale patch discriminator for LSGAN training of the lip-sync renderer.

Each scale is a PatchGAN (4x4 strided convs, LeakyReLU, instance norm) that scores
overlapping patches; scale k sees the input average-pooled k times by 2, so coarse scales
judge global mouth shape and fine scales judge texture. Pair it with `core.losses.gan`.
What it sees is one of `REGIONS` (the whole face crop, or the mouth box only).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from core.lipsync.config import DiscriminatorConfig, DiscriminatorRegion
from core.lipsync.geometry import CropGeometry

# What the discriminator judges of a face crop [B, 3, H, W] (`DiscriminatorConfig.region`).
REGIONS: dict[DiscriminatorRegion, Callable[[torch.Tensor, CropGeometry], torch.Tensor]] = {
    "crop": lambda crops, geometry: crops,
    "mouth": lambda crops, geometry: geometry.cut_mouth(crops),
}


class PatchDiscriminator(nn.Module):
    def __init__(self, in_channels: int, width: int, num_layers: int) -> None:
        super().__init__()
        layers: list[nn.Module] = [nn.Conv2d(in_channels, width, 4, 2, 1), nn.LeakyReLU(0.2, inplace=True)]
        c = width
        for i in range(1, num_layers):
            nc = min(width * 2**i, width * 8)
            stride = 2 if i < num_layers - 1 else 1
            layers += [
                nn.Conv2d(c, nc, 4, stride, 1),
                nn.InstanceNorm2d(nc, affine=True),
                nn.LeakyReLU(0.2, inplace=True),
            ]
            c = nc
        layers.append(nn.Conv2d(c, 1, 3, 1, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class MultiScaleDiscriminator(nn.Module):
    """Returns one patch score map [B, 1, h_k, w_k] per scale (raw LSGAN scores)."""

    def __init__(self, cfg: DiscriminatorConfig | None = None, in_channels: int = 3) -> None:
        super().__init__()
        cfg = cfg or DiscriminatorConfig()
        self.region = REGIONS[cfg.region]
        self.discs = nn.ModuleList(
            PatchDiscriminator(in_channels, cfg.base_channels, cfg.num_layers) for _ in range(cfg.num_scales)
        )

    def judged(self, crops: torch.Tensor, geometry: CropGeometry) -> torch.Tensor:
        """The part of face crops [B, 3, H, W] this discriminator scores (its `region`), in NCHW:
        its 4x4 convs and instance norms run slower channels-last on the CPU."""
        return self.region(crops, geometry).contiguous()

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        outs = []
        for i, d in enumerate(self.discs):
            if i > 0:
                x = F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False)
            outs.append(d(x))
        return outs
