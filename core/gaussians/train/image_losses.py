"""Image losses and metrics on [H, W, 3] tensors in [0, 1]: SSIM (Gaussian window), PSNR, weighted L1."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor


def _window(size: int, sigma: float, device: torch.device, dtype: torch.dtype) -> Tensor:
    x = torch.arange(size, device=device, dtype=dtype) - (size - 1) / 2.0
    g = torch.exp(-(x * x) / (2.0 * sigma * sigma))
    g = g / g.sum()
    return (g[:, None] * g[None, :]).expand(3, 1, size, size).contiguous()


def ssim_map(a: Tensor, b: Tensor, window: int = 11, sigma: float = 1.5) -> Tensor:
    """Per-pixel SSIM [H, W] (mean over channels) of two images [H, W, 3] (3DGS's formulation)."""
    x, y = a.permute(2, 0, 1)[None], b.permute(2, 0, 1)[None]
    w = _window(window, sigma, a.device, a.dtype)
    pad = window // 2

    def blur(t: Tensor) -> Tensor:
        return F.conv2d(t, w, padding=pad, groups=3)

    mu_x, mu_y = blur(x), blur(y)
    sxx = blur(x * x) - mu_x * mu_x
    syy = blur(y * y) - mu_y * mu_y
    sxy = blur(x * y) - mu_x * mu_y
    c1, c2 = 0.01**2, 0.03**2
    num = (2 * mu_x * mu_y + c1) * (2 * sxy + c2)
    den = (mu_x * mu_x + mu_y * mu_y + c1) * (sxx + syy + c2)
    return (num / den)[0].mean(dim=0)


def ssim(a: Tensor, b: Tensor) -> Tensor:
    return ssim_map(a, b).mean()


def psnr(a: Tensor, b: Tensor) -> float:
    mse = float(((a.float() - b.float()) ** 2).mean())
    return float("inf") if mse == 0 else 10.0 * math.log10(1.0 / mse)


def photometric_loss(
    render: Tensor, target: Tensor, l1_weight: float, dssim_weight: float, weights: Tensor | None = None
) -> Tensor:
    """``l1 * L1 + dssim * (1 - SSIM)``; ``weights`` [H, W] scales both per pixel (region weights)."""
    l1 = (render - target).abs().mean(dim=-1)
    d = 1.0 - ssim_map(render, target)
    if weights is not None:
        l1, d = l1 * weights, d * weights
    return l1_weight * l1.mean() + dssim_weight * d.mean()
