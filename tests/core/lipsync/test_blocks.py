"""AdaAT warps, attention modules, discriminator and augmentation on small tensors."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from core.lipsync.adaat import AdaAT
from core.lipsync.attention import (
    AttentionBlock,
    MouthAttention,
    MultiScaleAttention,
    SpatialChannelAttention,
    maps_to_image,
)
from core.lipsync.augmentation import augment, augment_rgb_, box_blur
from core.lipsync.config import AUGMENTATION_PRESETS, AttentionConfig, AugmentationConfig, DiscriminatorConfig
from core.lipsync.discriminator import MultiScaleDiscriminator
from core.lipsync.geometry import crop_geometry
from core.losses.gan import lsgan_discriminator_loss


def _set_adaat(adaat: AdaAT, shift_xy: tuple[float, float] = (0.0, 0.0)) -> None:
    for head in (adaat.scale, adaat.rotation, adaat.translation):
        nn.init.zeros_(head.weight)
        nn.init.zeros_(head.bias)
    with torch.no_grad():  # translation bias is laid out (channel, xy)
        adaat.translation.bias.view(-1, 2)[:] = torch.tensor(shift_xy)


def test_adaat_identity_and_translation() -> None:
    torch.manual_seed(0)
    adaat = AdaAT(code_dim=6, channels=3)
    feats = torch.rand(2, 3, 9, 7)
    code = torch.randn(2, 6)
    _set_adaat(adaat)  # scale 2*sigmoid(0) = 1, no rotation, no shift
    torch.testing.assert_close(adaat(feats, code), feats, atol=1e-5, rtol=0)
    # tanh(bias) = 2/(size-1) in normalised units = sample one pixel right and one pixel down
    shift = (float(torch.atanh(torch.tensor(2.0 / 6.0))), float(torch.atanh(torch.tensor(2.0 / 8.0))))
    _set_adaat(adaat, shift)
    out = adaat(feats, code)
    torch.testing.assert_close(out[..., :-1, :-1], feats[..., 1:, 1:], atol=1e-5, rtol=0)
    assert out[..., -1, :].abs().max() == 0  # zero padding beyond the border
    assert out.shape == feats.shape


@pytest.mark.parametrize(
    "module",
    [
        SpatialChannelAttention(16),
        MouthAttention(16, crop_geometry(64)),
        MultiScaleAttention(16, (1, 2, 4)),
    ],
    ids=["spatial_channel", "mouth", "multi_scale"],
)
def test_attention_module_outputs(module: nn.Module) -> None:
    x = torch.rand(2, 16, 13, 10)
    y, a = module(x)
    assert y.shape == x.shape and a.shape == (2, 1, 13, 10)
    assert torch.isfinite(a).all() and a.min() >= 0 and a.max() <= 1
    if not isinstance(module, SpatialChannelAttention):  # that one also gates channels
        torch.testing.assert_close(y, x * (1 + a))
    assert (y >= x).all()  # residual attention never removes signal from non-negative features


def test_mouth_attention_prefers_the_mouth_box_at_start() -> None:
    torch.manual_seed(0)
    g = crop_geometry(64)
    mod = MouthAttention(8, g)
    _, a = mod(torch.zeros(1, 8, 26, 20))  # no feature signal: only the prior speaks
    inside = a[..., 9:22, 3:17].mean()
    outside = a[..., :4, :].mean()
    assert inside > outside + 0.5


def test_attention_block_fusion_and_image_maps() -> None:
    g = crop_geometry(64)
    block = AttentionBlock(16, AttentionConfig.all_on(), g)
    x = torch.rand(1, 16, 13, 10)
    y, maps = block(x)
    assert set(maps) == {"spatial_channel", "mouth", "multi_scale", "fused"}
    branch = torch.stack([maps[k] for k in ("spatial_channel", "mouth", "multi_scale")])
    assert (maps["fused"] >= branch.min(0).values - 1e-6).all()
    assert (maps["fused"] <= branch.max(0).values + 1e-6).all()
    big = maps_to_image(maps, g.crop_size)
    assert all(m.shape == (1, 1, 104, 80) and m.min() >= 0 and m.max() <= 1 for m in big.values())
    assert y.shape == x.shape


def test_discriminator_scales_and_lsgan() -> None:
    torch.manual_seed(0)
    disc = MultiScaleDiscriminator(DiscriminatorConfig(num_scales=3, base_channels=8))
    real, fake = torch.rand(2, 3, 104, 80), torch.rand(2, 3, 104, 80)
    scores = disc(real)
    assert len(scores) == 3
    assert [s.shape[1] for s in scores] == [1, 1, 1]
    assert scores[0].shape[-1] > scores[1].shape[-1] > scores[2].shape[-1]
    loss = lsgan_discriminator_loss(disc(real), disc(fake.detach()))
    loss.backward()
    assert all(p.grad is not None for p in disc.parameters())


def test_box_blur_matches_mean_filter() -> None:
    img = torch.zeros(1, 1, 9, 9)
    img[..., 4, 4] = 1.0
    out = box_blur(img, 3)
    assert torch.isclose(out.sum(), torch.tensor(1.0))
    assert torch.isclose(out[..., 3:6, 3:6], torch.full((3, 3), 1 / 9)).all()
    assert box_blur(img, 10).shape == img.shape  # even kernels keep the size


def test_augment_keeps_shape_channel_and_range() -> None:
    g = torch.Generator().manual_seed(3)
    crops = torch.rand(2, 5, 4, 26, 20, generator=g)
    cfg = AUGMENTATION_PRESETS["original"].derive(probability=1.0)
    out = augment(crops, cfg, torch.Generator().manual_seed(1))
    assert out.shape == crops.shape
    torch.testing.assert_close(out[:, :, 3], crops[:, :, 3])
    assert out.min() >= 0 and out.max() <= 1
    assert (out[:, :, :3] - crops[:, :, :3]).abs().mean() > 0.01
    again = augment(crops, cfg, torch.Generator().manual_seed(1))
    torch.testing.assert_close(out, again)  # deterministic for a seed
    off = AugmentationConfig(probability=0.0)
    torch.testing.assert_close(augment(crops, off, torch.Generator()), crops)


@pytest.mark.parametrize("kernel", [2, 3, 4, 7])
def test_batch_augmentation_blurs_with_box_blur_and_keeps_unaugmented_images(kernel: int) -> None:
    crops = torch.rand(6, 3, 26, 20, generator=torch.Generator().manual_seed(2))
    cfg = AugmentationConfig(blur_kernel=kernel, noise_sigma=0.0, brightness=(1.0, 1.0), probability=0.5)
    out = augment_rgb_(crops.clone(memory_format=torch.channels_last), cfg, torch.Generator().manual_seed(5))
    changed = [(out[i] - crops[i]).abs().max() > 0 for i in range(6)]
    assert 0 < sum(changed) < 6  # p = 0.5 with this seed: some blurred, some untouched
    for i in range(6):  # each blurred image equals box_blur with one of the allowed kernels
        if changed[i]:
            assert any(
                torch.allclose(out[i : i + 1], box_blur(crops[i : i + 1], k), atol=1e-6)
                for k in range(2, kernel + 1)
            )
        else:
            torch.testing.assert_close(out[i], crops[i])


def test_channels_last_grad_is_identity_with_a_contiguous_gradient() -> None:
    from core.lipsync.blocks import channels_last_grad

    x = torch.rand(2, 4, 6, 5).contiguous(memory_format=torch.channels_last).requires_grad_(True)
    y = channels_last_grad(x)
    assert torch.equal(y, x)
    upstream = torch.rand(2, 7, 6, 5).contiguous(memory_format=torch.channels_last)
    seen = []
    x.register_hook(lambda g: seen.append(g))
    torch.cat([y, torch.zeros(2, 3, 6, 5)], dim=1).backward(upstream)
    assert seen[0].is_contiguous(memory_format=torch.channels_last)  # not a channel slice
    assert torch.equal(x.grad, upstream[:, :4])
    plain = torch.rand(2, 4, 6, 5)
    assert channels_last_grad(plain) is plain  # NCHW, inference and export: untouched


def test_up_block_channels_last_matches_nchw() -> None:
    """The training memory format changes neither the output nor the gradients (to rounding)."""
    from core.lipsync.blocks import UpBlock

    torch.manual_seed(0)
    block = UpBlock(8, 4, 6, separable=True)
    x, skip = torch.rand(2, 8, 5, 4), torch.rand(2, 4, 10, 8)
    grads = []
    for fmt in (torch.contiguous_format, torch.channels_last):
        block.zero_grad(set_to_none=True)
        b = block.to(memory_format=fmt)
        xi = x.clone(memory_format=fmt).requires_grad_(True)
        out = b(xi, skip.contiguous(memory_format=fmt))
        (out * out).sum().backward()
        grads.append((out.detach(), xi.grad, [p.grad for p in b.parameters()]))
    (o1, g1, p1), (o2, g2, p2) = grads
    torch.testing.assert_close(o2, o1, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(g2, g1, atol=1e-5, rtol=1e-5)
    for a, b in zip(p1, p2, strict=True):
        torch.testing.assert_close(b, a, atol=1e-4, rtol=1e-4)
