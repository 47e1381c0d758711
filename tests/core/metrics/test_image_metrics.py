"""PSNR, SSIM and sharpness against values worked out by hand or by an independent implementation."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest
import torch

from core.metrics.psnr import batch_psnr, psnr
from core.metrics.sharpness import laplacian_variance
from core.metrics.ssim import ssim, ssim_map


def test_psnr_known_values_numpy_and_torch():
    a = np.zeros((8, 8, 3))
    assert psnr(a, a + 0.1) == pytest.approx(20.0)  # MSE 0.01, peak 1
    u = np.zeros((4, 4, 3), np.uint8)
    assert psnr(u, u + 16, peak=255.0) == pytest.approx(10 * math.log10(255.0**2 / 256.0))
    assert psnr(torch.zeros(4, 4, 3), torch.full((4, 4, 3), 0.01)) == pytest.approx(40.0)
    assert psnr(a, a) == float("inf")


def test_batch_psnr_is_the_mean_of_per_image_values_and_stays_finite():
    a = torch.zeros(2, 3, 4, 4)
    b = torch.stack([torch.full((3, 4, 4), 0.1), torch.full((3, 4, 4), 0.01)])
    assert float(batch_psnr(a, b)) == pytest.approx(30.0, abs=1e-4)  # mean of 20 and 40 dB
    assert float(batch_psnr(a, a)) == pytest.approx(100.0)  # MSE clamped at 1e-10


def test_ssim_of_constant_images_matches_the_closed_form_away_from_the_border():
    a, b = 0.3, 0.7
    x, y = torch.full((32, 32, 3), a, dtype=torch.float64), torch.full((32, 32, 3), b, dtype=torch.float64)
    c1 = 0.01**2
    expected = (2 * a * b + c1) / (a * a + b * b + c1)  # no variance: the contrast term is 1
    assert float(ssim_map(x, y)[16, 16]) == pytest.approx(expected, rel=1e-9)
    assert ssim(x, x) == pytest.approx(1.0, abs=1e-9)


@pytest.mark.parametrize(
    ("border", "cv2_border"), [("zeros", cv2.BORDER_CONSTANT), ("symmetric", cv2.BORDER_REFLECT)]
)
def test_ssim_equals_an_opencv_reference(border, cv2_border):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (40, 30, 3)).astype(np.uint8)
    y = np.clip(x.astype(np.int16) + rng.integers(-40, 40, x.shape), 0, 255).astype(np.uint8)

    def blur(z):
        return cv2.GaussianBlur(z, (11, 11), 1.5, borderType=cv2_border)

    xf, yf = x.astype(np.float64), y.astype(np.float64)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    mx, my = blur(xf), blur(yf)
    vx, vy, cxy = blur(xf * xf) - mx * mx, blur(yf * yf) - my * my, blur(xf * yf) - mx * my
    ref = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
    assert ssim(x, y, peak=255.0, border=border) == pytest.approx(float(ref.mean()), abs=1e-9)
    assert 0.0 < ssim(x, y, peak=255.0, border=border) < 1.0


def test_the_separable_window_equals_the_2d_window_of_the_3dgs_loss():
    torch.manual_seed(0)
    a, b = torch.rand(24, 20, 3, dtype=torch.float64), torch.rand(24, 20, 3, dtype=torch.float64)
    g = torch.exp(-((torch.arange(11, dtype=torch.float64) - 5) ** 2) / (2 * 1.5**2))
    g = g / g.sum()
    w = (g[:, None] * g[None, :]).expand(3, 1, 11, 11)
    x, y = a.permute(2, 0, 1)[None], b.permute(2, 0, 1)[None]

    def blur(t):
        return torch.nn.functional.conv2d(t, w, padding=5, groups=3)

    mx, my = blur(x), blur(y)
    sxx, syy, sxy = blur(x * x) - mx * mx, blur(y * y) - my * my, blur(x * y) - mx * my
    c1, c2 = 0.01**2, 0.03**2
    ref = ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2))
    torch.testing.assert_close(ssim_map(a, b), ref[0].mean(0))


def test_ssim_map_is_differentiable_for_the_dssim_loss():
    x = torch.rand(16, 16, 3, requires_grad=True)
    (1 - ssim_map(x, torch.rand(16, 16, 3))).mean().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0


def test_sharpness_of_a_single_bright_pixel_and_of_a_flat_image():
    img = np.zeros((10, 10), np.uint8)
    assert laplacian_variance(img) == 0.0
    img[5, 5] = 1  # Laplacian: -4 at the pixel, +1 at its 4 neighbours -> mean 0, variance 20 / 100
    assert laplacian_variance(img) == pytest.approx(0.2)
    bgr = np.repeat(img[..., None] * 255, 3, axis=2)
    assert laplacian_variance(bgr) > laplacian_variance(cv2.GaussianBlur(bgr, (5, 5), 1.0))
