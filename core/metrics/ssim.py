"""Structural similarity (Wang et al. 2004), differentiable: the metric and the D-SSIM loss term.

Gaussian window 11 x 11, sigma 1.5, K1 0.01, K2 0.03, zero padding at the borders (the 3DGS
formulation), computed per channel and averaged. Inputs are ``[H, W, C]`` images whose largest
value is ``peak`` (1.0 for [0, 1] floats, 255.0 for uint8 arrays, which are converted).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor


def _window(size: int, sigma: float, channels: int, device: torch.device, dtype: torch.dtype) -> Tensor:
    x = torch.arange(size, device=device, dtype=dtype) - (size - 1) / 2.0
    g = torch.exp(-(x * x) / (2.0 * sigma * sigma))
    g = g / g.sum()
    return (g[:, None] * g[None, :]).expand(channels, 1, size, size).contiguous()


def ssim_map(a: Tensor, b: Tensor, peak: float = 1.0, window: int = 11, sigma: float = 1.5) -> Tensor:
    """Per-pixel SSIM ``[H, W]`` (mean over channels) of two images ``[H, W, C]``."""
    x, y = a.permute(2, 0, 1)[None], b.permute(2, 0, 1)[None]
    channels = x.shape[1]
    w = _window(window, sigma, channels, a.device, a.dtype)
    pad = window // 2

    def blur(t: Tensor) -> Tensor:
        return F.conv2d(t, w, padding=pad, groups=channels)

    mu_x, mu_y = blur(x), blur(y)
    sxx = blur(x * x) - mu_x * mu_x
    syy = blur(y * y) - mu_y * mu_y
    sxy = blur(x * y) - mu_x * mu_y
    c1, c2 = (0.01 * peak) ** 2, (0.03 * peak) ** 2
    num = (2 * mu_x * mu_y + c1) * (2 * sxy + c2)
    den = (mu_x * mu_x + mu_y * mu_y + c1) * (sxx + syy + c2)
    return (num / den)[0].mean(dim=0)


def ssim(a: np.ndarray | Tensor, b: np.ndarray | Tensor, peak: float = 1.0) -> float:
    """Mean SSIM of two images ``[H, W, C]`` (numpy arrays are compared in float64)."""
    x, y = _as_image(a), _as_image(b)
    with torch.no_grad():
        return float(ssim_map(x, y, peak).mean())


def _as_image(image: np.ndarray | Tensor) -> Tensor:
    t = image if isinstance(image, Tensor) else torch.from_numpy(np.asarray(image, np.float64))
    return t[..., None] if t.ndim == 2 else t
