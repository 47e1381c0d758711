"""The photometric loss on [H, W, 3] tensors in [0, 1]: weighted L1 + D-SSIM (SSIM: core.metrics.ssim)."""

from __future__ import annotations

from torch import Tensor

from core.metrics.ssim import ssim_map


def photometric_loss(
    render: Tensor, target: Tensor, l1_weight: float, dssim_weight: float, weights: Tensor | None = None
) -> Tensor:
    """``l1 * L1 + dssim * (1 - SSIM)``; ``weights`` [H, W] scales both per pixel (region weights)."""
    l1 = (render - target).abs().mean(dim=-1)
    d = 1.0 - ssim_map(render, target)
    if weights is not None:
        l1, d = l1 * weights, d * weights
    return l1_weight * l1.mean() + dssim_weight * d.mean()
