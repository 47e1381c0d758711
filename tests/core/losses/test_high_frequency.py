"""The Laplacian (high-frequency) L1: zero on identical images, charges blur, sharpens by gradient."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from core.lipsync.geometry import crop_geometry
from core.losses.high_frequency import high_frequency_l1, laplacian
from core.losses.pixel import l1_loss


def _detailed(seed: int = 0) -> torch.Tensor:
    """A crop with fine texture (random pixels) on a smooth ramp."""
    g = torch.Generator().manual_seed(seed)
    ramp = torch.linspace(0, 1, 80).expand(1, 3, 104, 80)
    return (0.5 * ramp + 0.5 * torch.rand(1, 3, 104, 80, generator=g)).contiguous()


def _blur(x: torch.Tensor, k: int) -> torch.Tensor:
    return F.avg_pool2d(F.pad(x, (k // 2,) * 4, mode="replicate"), k, 1)


def test_laplacian_of_constant_and_ramp_is_zero() -> None:
    assert laplacian(torch.full((1, 3, 9, 7), 0.3)).abs().max().item() < 1e-6
    ramp = torch.linspace(0, 1, 7).expand(2, 3, 9, 7).contiguous()
    assert laplacian(ramp)[..., 1:-1].abs().max().item() < 1e-6  # linear: no curvature inside
    spike = torch.zeros(1, 1, 5, 5)
    spike[..., 2, 2] = 1.0
    assert laplacian(spike)[0, 0, 2, 2].item() == -4.0


def test_zero_for_identical_and_grows_with_blur() -> None:
    x = _detailed()
    mask = crop_geometry(64).mouth_mask()
    assert high_frequency_l1(x, x.clone(), mask).item() == 0.0
    soft, softer = high_frequency_l1(_blur(x, 3), x, mask), high_frequency_l1(_blur(x, 5), x, mask)
    assert 0 < soft < softer
    # a blur costs more here than under plain L1: the term is made to see it
    assert soft > 2 * l1_loss(_blur(x, 3), x)


def test_mask_limits_the_loss_to_the_mouth() -> None:
    g = crop_geometry(64)
    x, mask = _detailed(), g.mouth_mask()
    ys, xs = g.mouth_slices()
    outside = x.clone()
    outside[..., :20, :] = _blur(x, 5)[..., :20, :]  # blur only above the mouth box
    assert high_frequency_l1(outside, x, mask, levels=1).item() == 0.0
    assert high_frequency_l1(outside, x, None, levels=1).item() > 0.0
    inside = x.clone()
    inside[..., ys, xs] = _blur(x, 5)[..., ys, xs]
    assert high_frequency_l1(inside, x, mask, levels=1).item() > 0.0


def test_gradient_restores_detail() -> None:
    """Descending the loss from a blurred start brings the Laplacian energy back up."""
    x = _detailed()
    start = _blur(x, 5)
    pred = start.clone().requires_grad_(True)
    opt = torch.optim.Adam([pred], lr=1e-2)
    for _ in range(40):
        opt.zero_grad()
        high_frequency_l1(pred, x, None, levels=2).backward()
        opt.step()
    energy = lambda t: laplacian(t).var().item()  # noqa: E731
    assert energy(start) < 0.5 * energy(x)
    assert energy(pred.detach()) > 2 * energy(start)
    assert high_frequency_l1(pred.detach(), x) < 0.7 * high_frequency_l1(start, x)


def test_rejects_bad_shapes_and_levels() -> None:
    x = _detailed()
    with pytest.raises(ValueError, match="shape mismatch"):
        high_frequency_l1(x, x[..., :50])
    with pytest.raises(ValueError, match="mask"):
        high_frequency_l1(x, x, torch.ones(1, 1, 8, 8))
    with pytest.raises(ValueError, match="levels"):
        high_frequency_l1(x, x, levels=0)
    with pytest.raises(ValueError, match="too small"):
        high_frequency_l1(torch.zeros(1, 1, 8, 8), torch.zeros(1, 1, 8, 8), levels=3)
