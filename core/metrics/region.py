"""Image metrics restricted to a region (a boolean mask): PSNR, SSIM and the LPIPS crop.

A Gaussian head avatar models the face only; the rest of its evaluation image is a flat background
that both the render and the target share, so full-image figures are diluted by however much
background the crop holds (58 % on the sample clips). These figures count the masked pixels only:

- :func:`masked_psnr`: the MSE over the mask's pixels (every channel);
- :func:`masked_ssim`: the per-pixel SSIM map (:func:`core.metrics.ssim.ssim_map`, the same window)
  averaged over the mask's pixels; windows at the mask's edge see the shared background, as the
  full-image figure does;
- :func:`mask_box` + :func:`crop`: LPIPS is a network over a rectangle, so callers score the mask's
  bounding box (both images cropped to it) rather than the whole frame.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import Tensor

from core.metrics.ssim import Border, ssim_map


def _as_float64(image: np.ndarray | Tensor) -> Tensor:
    t = image if isinstance(image, Tensor) else torch.from_numpy(np.asarray(image))
    t = t.detach().to(torch.float64)
    return t[..., None] if t.ndim == 2 else t


def _as_mask(mask: np.ndarray | Tensor, shape: tuple[int, ...], device: torch.device) -> Tensor:
    m = mask if isinstance(mask, Tensor) else torch.from_numpy(np.asarray(mask))
    m = m.to(device=device).bool()
    if tuple(m.shape) != tuple(shape[:2]):
        raise ValueError(f"mask shape {tuple(m.shape)} does not match the image's {tuple(shape[:2])}")
    if not bool(m.any()):
        raise ValueError("the mask is empty: no pixel to score")
    return m


def masked_psnr(
    a: np.ndarray | Tensor, b: np.ndarray | Tensor, mask: np.ndarray | Tensor, peak: float = 1.0
) -> float:
    """PSNR (dB) over the pixels where ``mask`` [H, W] is true, of images [H, W, C] (or [H, W])."""
    x, y = _as_float64(a), _as_float64(b)
    m = _as_mask(mask, tuple(x.shape), x.device)
    mse = float(((x - y.to(x.device)) ** 2)[m].mean())
    return float("inf") if mse == 0 else 10.0 * math.log10(peak * peak / mse)


def masked_ssim(
    a: np.ndarray | Tensor,
    b: np.ndarray | Tensor,
    mask: np.ndarray | Tensor,
    peak: float = 1.0,
    border: Border = "zeros",
) -> float:
    """Mean of the SSIM map over the pixels where ``mask`` [H, W] is true."""
    x, y = _as_float64(a), _as_float64(b)
    m = _as_mask(mask, tuple(x.shape), x.device)
    with torch.no_grad():
        return float(ssim_map(x, y.to(x.device), peak, border=border)[m].mean())


def mask_box(mask: np.ndarray | Tensor) -> tuple[int, int, int, int]:
    """The mask's bounding box ``(top, left, bottom, right)``, bottom/right exclusive."""
    m = np.asarray(mask.cpu() if isinstance(mask, Tensor) else mask).astype(bool)
    rows, cols = np.flatnonzero(m.any(axis=1)), np.flatnonzero(m.any(axis=0))
    if not len(rows):
        raise ValueError("the mask is empty: no box to crop")
    return int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1


def crop(image: Tensor, box: tuple[int, int, int, int]) -> Tensor:
    """``image`` [H, W, ...] cut to ``box`` (as :func:`mask_box` gives it)."""
    top, left, bottom, right = box
    return image[top:bottom, left:right]
