"""Pixel, mouth-weighted, LSGAN and temporal losses: zero when they should be, growing with error."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core.lipsync.geometry import crop_geometry
from core.losses.gan import lsgan_discriminator_loss, lsgan_generator_loss
from core.losses.mouth_weighted import mouth_weighted_l1
from core.losses.pixel import l1_loss
from core.losses.temporal import TemporalWeights, target_flow, temporal_losses, warp

TERMS = ("frame_difference", "flow_warped", "mouth_region", "long_term")


def _rand(*shape: int, seed: int = 0) -> torch.Tensor:
    return torch.rand(*shape, generator=torch.Generator().manual_seed(seed))


def test_l1_zero_and_grows() -> None:
    x = _rand(2, 3, 16, 12)
    assert l1_loss(x, x.clone()).item() == 0
    assert 0 < l1_loss(x + 0.1, x).item() < l1_loss(x + 0.3, x).item()
    assert l1_loss(x + 0.25, x).item() == pytest.approx(0.25, rel=1e-5)
    with pytest.raises(ValueError):
        l1_loss(x, x[:1])


def test_mouth_weighted_emphasises_the_mouth() -> None:
    g = crop_geometry(64)
    x = _rand(1, 3, *g.crop_size)
    mask = g.mouth_mask()
    assert mouth_weighted_l1(x, x.clone(), mask).item() == 0
    ys, xs = g.mouth_slices()
    in_mouth, outside = x.clone(), x.clone()
    in_mouth[..., ys, xs] += 0.2
    outside[..., :20, :] += 0.2 * (64 * 64) / (20 * 80)  # same total absolute error, away from the mouth
    assert mouth_weighted_l1(in_mouth, x, mask) > 2 * mouth_weighted_l1(outside, x, mask)
    assert mouth_weighted_l1(x + 0.1, x, mask).item() == pytest.approx(0.1, rel=1e-5)  # L1 scale kept
    assert mouth_weighted_l1(x + 0.1, x, mask) < mouth_weighted_l1(x + 0.2, x, mask)


def test_lsgan_targets() -> None:
    ones, zeros = (
        [torch.ones(1, 1, 4, 4), torch.ones(1, 1, 2, 2)],
        [torch.zeros(1, 1, 4, 4), torch.zeros(1, 1, 2, 2)],
    )
    assert lsgan_generator_loss(ones).item() == 0
    assert lsgan_discriminator_loss(ones, zeros).item() == 0
    near = [s - 0.1 for s in ones]
    far = [s - 0.5 for s in ones]
    assert 0 < lsgan_generator_loss(near) < lsgan_generator_loss(far)
    assert lsgan_generator_loss(far).item() == pytest.approx(0.25)
    assert lsgan_discriminator_loss(near, [z + 0.1 for z in zeros]) < lsgan_discriminator_loss(far, zeros)


def _moving_sequence(t: int = 6, h: int = 40, w: int = 32, seed: int = 0) -> torch.Tensor:
    """A smooth textured image panning 1 pixel per frame: [1, T, 3, H, W]."""
    base = torch.nn.functional.avg_pool2d(_rand(1, 3, h, w + t, seed=seed), 5, 1, 2)
    base = (base - base.min()) / (base.max() - base.min())
    return torch.stack([base[..., k : k + w] for k in range(t)], dim=1)


def test_temporal_zero_for_identical_and_static() -> None:
    g = crop_geometry(64)
    seq = _rand(1, 6, 3, *g.crop_size).unsqueeze(0)[0]
    out = temporal_losses(seq, seq.clone(), g.mouth_mask())
    assert all(out[k].item() == pytest.approx(0.0, abs=1e-7) for k in (*TERMS, "total"))
    # a static render of a static target scores 0 even when the render differs from it
    still_target = _rand(1, 1, 3, 24, 20, seed=1).expand(1, 6, 3, 24, 20)
    still_pred = _rand(1, 1, 3, 24, 20, seed=2).expand(1, 6, 3, 24, 20)
    out = temporal_losses(still_pred, still_target)
    assert out["total"].item() == pytest.approx(0.0, abs=1e-6)


def test_temporal_positive_for_flicker_and_grows() -> None:
    target = _rand(1, 1, 3, 24, 20, seed=1).expand(1, 6, 3, 24, 20)
    sign = torch.tensor([1.0, -1.0] * 3).view(1, 6, 1, 1, 1)
    totals = []
    for amp in (0.02, 0.05, 0.1):
        out = temporal_losses((target + amp * sign).clamp(0, 1), target)
        assert all(out[k].item() > 0 for k in TERMS), out
        totals.append(out["total"].item())
    assert totals[0] < totals[1] < totals[2]
    w = TemporalWeights()
    expected = sum(getattr(w, k) * out[k] for k in TERMS)
    assert out["total"].item() == pytest.approx(expected.item(), rel=1e-5)


def test_flow_warp_follows_motion() -> None:
    seq = _moving_sequence()
    flow = target_flow(seq)
    assert flow.shape == (1, 5, 40, 32, 2)
    # the image moves left by 1 px per frame, so frame t at p matches frame t-1 at p + (1, 0)
    inner = flow[0, :, 8:-8, 8:-8]
    assert np.allclose(inner[..., 0].median().item(), 1.0, atol=0.15)
    assert abs(inner[..., 1].median().item()) < 0.15
    warped = warp(seq[0, :-1], flow[0])
    err_warped = (warped - seq[0, 1:])[..., 8:-8, 8:-8].abs().mean()
    err_plain = (seq[0, :-1] - seq[0, 1:])[..., 8:-8, 8:-8].abs().mean()
    assert err_warped < 0.3 * err_plain
    # a render that follows the motion scores 0; one that freezes is penalised
    assert temporal_losses(seq.clone(), seq)["flow_warped"].item() == pytest.approx(0.0, abs=1e-7)
    frozen = seq[:, :1].expand_as(seq)
    assert temporal_losses(frozen, seq)["flow_warped"].item() > 0.01


def test_temporal_gradients_and_short_sequences() -> None:
    target = _moving_sequence(t=3)
    pred = (target + 0.05 * torch.randn_like(target)).requires_grad_(True)
    out = temporal_losses(pred, target)
    out["total"].backward()
    assert pred.grad is not None and pred.grad.abs().sum() > 0
    with pytest.raises(ValueError):
        temporal_losses(target[:, :1], target[:, :1])
