"""L1 loss with extra weight on the mouth region, where lip-sync errors are visible."""

from __future__ import annotations

import torch


def mouth_weighted_l1(
    pred: torch.Tensor, target: torch.Tensor, mouth_mask: torch.Tensor, mouth_weight: float = 4.0
) -> torch.Tensor:
    """sum(w * |pred - target|) / sum(w), with w = 1 + (mouth_weight - 1) * mask.

    pred, target: [B, C, H, W]; mouth_mask: [B or 1, 1, H, W] in [0, 1] (e.g.
    `CropGeometry.mouth_mask()`). Normalising by the weights keeps the scale of plain L1.
    """
    if pred.shape != target.shape:
        raise ValueError(f"shape mismatch: {tuple(pred.shape)} vs {tuple(target.shape)}")
    if mouth_mask.shape[-2:] != pred.shape[-2:]:
        raise ValueError(f"mask {tuple(mouth_mask.shape)} does not match images {tuple(pred.shape)}")
    w = 1.0 + (mouth_weight - 1.0) * mouth_mask.to(pred.dtype)
    w = w.expand(pred.shape[0], 1, *pred.shape[-2:])
    return ((pred - target).abs() * w).sum() / (w.sum() * pred.shape[1])
