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


class _ChannelsLastGrad(torch.autograd.Function):
    """Identity whose backward hands on a channels-last contiguous gradient.

    The gradient of a tensor that goes into `torch.cat` along channels is a channel slice of the
    concatenation's gradient: in channels-last memory not contiguous, which sends bilinear
    upsampling's backward down its slow generic path (2-3x slower per call on the CPU, about a
    seventh of DINet mini's forward + backward at mouth 64)."""

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> torch.Tensor:
        return grad.contiguous(memory_format=torch.channels_last)


def channels_last_grad(x: torch.Tensor) -> torch.Tensor:
    """`x`, with its gradient made channels-last contiguous when `x` is channels-last and needs one
    (training with `train.channels_last`); otherwise `x` itself (inference, export, NCHW)."""
    if x.requires_grad and x.dim() == 4 and x.is_contiguous(memory_format=torch.channels_last):
        return _ChannelsLastGrad.apply(x)
    return x


class UpBlock(nn.Module):
    """Upsample to the skip's size (crop sizes are not always powers of two), concat, convolve."""

    def __init__(self, cin: int, cskip: int, cout: int, separable: bool = False) -> None:
        super().__init__()
        self.conv = SeparableConv(cin + cskip, cout) if separable else ConvNormAct(cin + cskip, cout)

    def forward(self, x: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        x = F.interpolate(x, size=skip.shape[-2:], mode="bilinear", align_corners=False)
        return self.conv(torch.cat([channels_last_grad(x), skip], dim=1))


def num_downsamples(mouth_size: int) -> int:
    """Encoder depth: the bottleneck is about M/16 pixels on the mouth (4x4 mouth cells)."""
    return {64: 3, 96: 3, 128: 3, 160: 4, 256: 4}[mouth_size]
