"""Convolution building blocks shared by DINet full and mini."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class ConvNormAct(nn.Sequential):
    """conv -> BatchNorm -> ReLU ("SameBlock2d"/"DownBlock2d" in DINet terms when stride 2)."""

    def __init__(self, cin: int, cout: int, kernel: int = 3, stride: int = 1, groups: int = 1) -> None:
        super().__init__(
            nn.Conv2d(cin, cout, kernel, stride, kernel // 2, groups=groups, bias=False),
            nn.BatchNorm2d(cout),
            nn.ReLU(inplace=True),
        )


class SeparableConv(nn.Sequential):
    """Depthwise 3x3 (optionally strided) + pointwise 1x1: the mini model's cheap convolution."""

    def __init__(self, cin: int, cout: int, stride: int = 1) -> None:
        super().__init__(
            nn.Conv2d(cin, cin, 3, stride, 1, groups=cin, bias=False),
            nn.BatchNorm2d(cin),
            nn.ReLU(inplace=True),
            nn.Conv2d(cin, cout, 1, bias=False),
            nn.BatchNorm2d(cout),
            nn.ReLU(inplace=True),
        )


class ResBlock(nn.Module):
    """Two 3x3 convs with an identity shortcut (full) or a separable pair (mini)."""

    def __init__(self, channels: int, separable: bool = False) -> None:
        super().__init__()
        if separable:
            self.body = nn.Sequential(
                nn.Conv2d(channels, channels, 3, 1, 1, groups=channels, bias=False),
                nn.BatchNorm2d(channels),
                nn.Conv2d(channels, channels, 1, bias=False),
                nn.BatchNorm2d(channels),
            )
        else:
            self.body = nn.Sequential(
                nn.Conv2d(channels, channels, 3, 1, 1, bias=False),
                nn.BatchNorm2d(channels),
                nn.ReLU(inplace=True),
                nn.Conv2d(channels, channels, 3, 1, 1, bias=False),
                nn.BatchNorm2d(channels),
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(x + self.body(x))


class UpBlock(nn.Module):
    """Upsample to the skip's size (crop sizes are not always powers of two), concat, convolve."""

    def __init__(self, cin: int, cskip: int, cout: int, separable: bool = False) -> None:
        super().__init__()
        self.conv = SeparableConv(cin + cskip, cout) if separable else ConvNormAct(cin + cskip, cout)

    def forward(self, x: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        x = F.interpolate(x, size=skip.shape[-2:], mode="bilinear", align_corners=False)
        return self.conv(torch.cat([x, skip], dim=1))


def num_downsamples(mouth_size: int) -> int:
    """Encoder depth: the bottleneck is about M/16 pixels on the mouth (4x4 mouth cells)."""
    return {64: 3, 96: 3, 128: 3, 160: 4, 256: 4}[mouth_size]
