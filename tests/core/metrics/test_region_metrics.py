"""Masked PSNR/SSIM and the mask's box: only the masked pixels count, checked against hand values."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from core.metrics.psnr import psnr
from core.metrics.region import crop, mask_box, masked_psnr, masked_ssim
from core.metrics.ssim import ssim, ssim_map


def _face_and_background():
    """A 'face' disc with an error of 0.1 inside, exact background (0) outside."""
    yy, xx = np.mgrid[:40, :40]
    mask = (yy - 20) ** 2 + (xx - 18) ** 2 < 10**2
    target = np.zeros((40, 40, 3))
    target[mask] = 0.5
    render = target.copy()
    render[mask] += 0.1
    return render, target, mask


def test_masked_psnr_counts_only_the_masked_pixels():
    render, target, mask = _face_and_background()
    assert masked_psnr(render, target, mask) == pytest.approx(20.0)  # MSE 0.01 inside
    fraction = mask.mean()
    # the full-image figure is diluted by the exact background: 20 dB - 10 log10(fraction)
    assert psnr(render, target) == pytest.approx(20.0 - 10 * math.log10(fraction))
    t = torch.from_numpy
    assert masked_psnr(t(render).float(), t(target).float(), t(mask)) == pytest.approx(20.0, abs=1e-4)
    assert masked_psnr(target, target, mask) == float("inf")


def test_masked_ssim_is_the_ssim_map_mean_over_the_mask_and_lower_than_the_full_image():
    rng = np.random.default_rng(0)
    render, target, mask = _face_and_background()
    render[mask] += rng.normal(0, 0.05, (int(mask.sum()), 3))
    expected = float(
        ssim_map(torch.from_numpy(render), torch.from_numpy(target))[torch.from_numpy(mask)].mean()
    )
    assert masked_ssim(render, target, mask) == pytest.approx(expected, rel=1e-12)
    assert masked_ssim(render, target, mask) < ssim(render, target) < 1.0
    assert masked_ssim(target, target, mask) == pytest.approx(1.0, abs=1e-9)


def test_mask_box_and_crop():
    mask = np.zeros((10, 12), bool)
    mask[2:5, 3:9] = True
    mask[7, 4] = True
    box = mask_box(mask)
    assert box == (2, 3, 8, 9)
    image = torch.arange(10 * 12 * 3).view(10, 12, 3)
    assert crop(image, box).shape == (6, 6, 3) and int(crop(image, box)[0, 0, 0]) == int(image[2, 3, 0])
    assert mask_box(torch.from_numpy(mask)) == box


def test_empty_or_mismatched_masks_are_refused():
    a = np.zeros((8, 8, 3))
    with pytest.raises(ValueError, match="empty"):
        masked_psnr(a, a, np.zeros((8, 8), bool))
    with pytest.raises(ValueError, match="does not match"):
        masked_ssim(a, a, np.ones((4, 8), bool))
    with pytest.raises(ValueError, match="empty"):
        mask_box(np.zeros((3, 3), bool))
