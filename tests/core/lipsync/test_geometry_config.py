"""Face-crop geometry and the renderer / augmentation configs."""

from __future__ import annotations

import pytest
import torch

from core.config.errors import ConfigError
from core.config.loader import validate
from core.jobs.errors import BadInput
from core.lipsync.config import (
    AUGMENTATION_PRESETS,
    AttentionConfig,
    AugmentationConfig,
    LossConfig,
    RendererConfig,
    augmentation_preset,
)
from core.lipsync.geometry import ALLOWED_MOUTH_SIZES, crop_geometry


@pytest.mark.parametrize("size", ALLOWED_MOUTH_SIZES)
def test_crop_layout(size: int) -> None:
    g = crop_geometry(size)
    assert g.crop_size == (13 * size // 8, 5 * size // 4)
    top, left, h, w = g.mouth_box
    assert (h, w) == (size, size)
    # M/2 above, M/8 below and M/8 either side of the mouth box
    assert top == size // 2 and g.crop_height - (top + h) == size // 8
    assert left == size // 8 and g.crop_width - (left + w) == size // 8
    crops = torch.ones(2, 3, *g.crop_size)
    masked = g.mask_mouth(crops)
    assert masked.sum() == crops.sum() - 2 * 3 * size * size
    assert g.cut_mouth(masked).abs().sum() == 0
    assert crops.sum() == 2 * 3 * g.crop_height * g.crop_width  # input untouched


def test_masks_and_prior() -> None:
    g = crop_geometry(64)
    full = g.mouth_mask()
    assert full.shape == (1, 1, 104, 80) and full.sum() == 64 * 64
    small = g.mouth_mask((13, 10))
    assert small.shape == (1, 1, 13, 10)
    assert torch.isclose(small.mean(), full.mean(), atol=1e-6)
    prior = g.mouth_prior((26, 20))
    assert prior.min() >= 0 and prior.max() <= 1
    assert prior[0, 0, 14, 10] == 1.0  # inside the box
    assert prior[0, 0, 0, 0] < 0.2  # top corner, far from the mouth
    assert prior[0, 0, 0, 0] < prior[0, 0, 6, 1] < prior[0, 0, 7, 2] < 1.0  # falls off with distance


def test_bad_size_and_bad_crop() -> None:
    with pytest.raises(BadInput, match="64, 96, 128, 160, 256"):
        crop_geometry(100)
    with pytest.raises(ValueError, match="104x80"):
        crop_geometry(64).mask_mouth(torch.zeros(1, 3, 100, 80))


def test_augmentation_presets() -> None:
    orig, opt = AUGMENTATION_PRESETS["original"], augmentation_preset("optimized")
    assert (orig.blur_kernel, orig.noise_sigma, orig.brightness) == (10, 8.0, (0.7, 1.3))
    assert (opt.blur_kernel, opt.noise_sigma, opt.brightness) == (3, 3.0, (0.85, 1.15))
    with pytest.raises(ConfigError, match="original"):
        augmentation_preset("nope")
    with pytest.raises(ValueError):
        AugmentationConfig(brightness=(1.2, 0.9))


def test_configs_validate_and_derive() -> None:
    cfg = validate(RendererConfig, {"variant": "mini", "mouth_size": 128, "attention": {"mouth": True}})
    assert cfg.width == 8 and cfg.attention.enabled
    assert cfg.derive(variant="full").width == 32
    with pytest.raises(ConfigError, match="mouth_size"):
        validate(RendererConfig, {"mouth_size": 100})
    with pytest.raises(ConfigError, match="points"):
        validate(AttentionConfig, {"points": ["middle"]})
    assert not AttentionConfig(mouth=True, points=()).enabled
    assert LossConfig().needs_vgg and not LossConfig(lamb_perception=0).needs_vgg
    t = LossConfig().temporal
    assert (t.frame_difference, t.flow_warped, t.mouth_region, t.long_term, t.window) == (8, 6, 10, 4, 5)
