"""Structural similarity (Wang et al. 2004), differentiable: the metric and the D-SSIM loss term.

Gaussian window 11 x 11, sigma 1.5, K1 0.01, K2 0.03, computed per channel and averaged. Inputs
are ``[H, W, C]`` images whose largest value is ``peak`` (1.0 for [0, 1] floats, 255.0 for uint8
arrays, which are compared in float64). The window is applied as two 1-D passes (the Gaussian is
separable; the result is the same as the 2-D window, several times faster) over the five blurred
maps stacked in one convolution.

``border`` says what the window sees past the image edge:
  ``"zeros"``      zero padding, the 3DGS formulation (the Gaussian avatar's loss and metric, so its
                   figures compare with the 3DGS / GaussianAvatars literature);
  ``"symmetric"``  the edge mirrored (``cba|abc``, OpenCV's BORDER_REFLECT): no dark frame around
                   small crops (the lip-sync evaluation of mouth crops).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

Border = Literal["zeros", "symmetric"]


def _gaussian(size: int, sigma: float, device: torch.device, dtype: torch.dtype) -> Tensor:
    x = torch.arange(size, device=device, dtype=dtype) - (size - 1) / 2.0
    g = torch.exp(-(x * x) / (2.0 * sigma * sigma))
    return g / g.sum()


def _symmetric_pad(t: Tensor, pad: int) -> Tensor:
    """Mirror ``pad`` pixels at each edge of ``[B, C, H, W]``, edge pixel included (``cba|abc``)."""
    t = torch.cat([t[..., :pad].flip(-1), t, t[..., -pad:].flip(-1)], dim=-1)
    return torch.cat([t[..., :pad, :].flip(-2), t, t[..., -pad:, :].flip(-2)], dim=-2)


def _blur(t: Tensor, window: int, sigma: float, border: Border) -> Tensor:
    """Separable Gaussian blur of every channel of ``[1, C, H, W]``; same size out."""
    channels, pad = t.shape[1], window // 2
    g = _gaussian(window, sigma, t.device, t.dtype)
    rows = g.view(1, 1, 1, window).expand(channels, 1, 1, window).contiguous()
    cols = g.view(1, 1, window, 1).expand(channels, 1, window, 1).contiguous()
    if border == "symmetric":
        t = _symmetric_pad(t, pad)
        return F.conv2d(F.conv2d(t, rows, groups=channels), cols, groups=channels)
    t = F.conv2d(t, rows, padding=(0, pad), groups=channels)
    return F.conv2d(t, cols, padding=(pad, 0), groups=channels)


def ssim_map(
    a: Tensor,
    b: Tensor,
    peak: float = 1.0,
    window: int = 11,
    sigma: float = 1.5,
    border: Border = "zeros",
) -> Tensor:
    """Per-pixel SSIM ``[H, W]`` (mean over channels) of two images ``[H, W, C]``."""
    x, y = a.permute(2, 0, 1)[None], b.permute(2, 0, 1)[None]
    c = x.shape[1]
    blurred = _blur(torch.cat([x, y, x * x, y * y, x * y], dim=1), window, sigma, border)
    mu_x, mu_y, exx, eyy, exy = blurred.split(c, dim=1)
    sxx, syy, sxy = exx - mu_x * mu_x, eyy - mu_y * mu_y, exy - mu_x * mu_y
    c1, c2 = (0.01 * peak) ** 2, (0.03 * peak) ** 2
    num = (2 * mu_x * mu_y + c1) * (2 * sxy + c2)
    den = (mu_x * mu_x + mu_y * mu_y + c1) * (sxx + syy + c2)
    return (num / den)[0].mean(dim=0)


def ssim(
    a: np.ndarray | Tensor, b: np.ndarray | Tensor, peak: float = 1.0, border: Border = "zeros"
) -> float:
    """Mean SSIM of two images ``[H, W, C]`` (or ``[H, W]``)."""
    with torch.no_grad():
        return float(ssim_map(_as_image(a), _as_image(b), peak, border=border).mean())


def _as_image(image: np.ndarray | Tensor) -> Tensor:
    t = image if isinstance(image, Tensor) else torch.from_numpy(np.asarray(image, np.float64))
    return t[..., None] if t.ndim == 2 else t
