"""Peak signal-to-noise ratio, for numpy arrays and torch tensors alike.

``PSNR = 10 log10(peak^2 / MSE)`` in dB; ``peak`` is the largest pixel value (1.0 for images in
[0, 1], 255.0 for uint8). Identical images have an infinite PSNR (:func:`psnr`); the batched form
used in training clamps the MSE at 1e-10 so its mean stays finite (100 dB at most for peak 1).
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import Tensor


def psnr(a: np.ndarray | Tensor, b: np.ndarray | Tensor, peak: float = 1.0) -> float:
    """PSNR (dB) of two images of the same shape (MSE in float64 over every element)."""
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        mse = float(((torch.as_tensor(a).double() - torch.as_tensor(b).double()) ** 2).mean())
    else:
        mse = float(np.mean((np.asarray(a, np.float64) - np.asarray(b, np.float64)) ** 2))
    return float("inf") if mse == 0 else 10.0 * math.log10(peak * peak / mse)


def batch_psnr(a: Tensor, b: Tensor, peak: float = 1.0) -> Tensor:
    """Mean over the batch of per-image PSNR (dB) of ``[B, ...]`` tensors; a 0-dim tensor."""
    mse = ((a.float() - b.float()) ** 2).flatten(1).mean(1).clamp_min(1e-10)
    return (10.0 * torch.log10(peak * peak / mse)).mean()
