"""The renderer objective built from LossConfig: VGG resolved at start, weights applied."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from core.jobs.errors import BadInput
from core.lipsync.config import LossConfig
from core.lipsync.geometry import crop_geometry
from core.lipsync.loss import build_renderer_loss
from core.losses.vgg19 import VGG19_FILE, VGG19Features


def test_missing_vgg_stops_at_build(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path)}
    with pytest.raises(BadInput, match=VGG19_FILE):
        build_renderer_loss(LossConfig(), crop_geometry(64), env=env)
    loss = build_renderer_loss(LossConfig(lamb_perception=0), crop_geometry(64), env=env)
    assert loss.perceptual is None


def test_weighted_total(tmp_path: Path) -> None:
    torch.manual_seed(0)
    path = tmp_path / "vgg.pth"
    torch.save(VGG19Features(("relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1")).state_dict(), path)
    cfg = LossConfig(vgg19_path=str(path), lamb_temporal=1.0, perception_scales=(1.0, 0.5))
    g = crop_geometry(64)
    loss = build_renderer_loss(cfg, g)
    target = torch.rand(1, 3, *g.crop_size)
    same = loss.generator(target, target.clone(), [torch.ones(1, 1, 5, 4)])
    assert same["total"].item() == pytest.approx(0.0, abs=1e-6)
    pred = (target + 0.1 * torch.randn_like(target)).clamp(0, 1)
    terms = loss.generator(pred, target, [torch.zeros(1, 1, 5, 4)])
    expected = (
        cfg.lamb_pixel * terms["pixel"]
        + cfg.lamb_mouth * terms["mouth"]
        + cfg.lamb_perception * terms["perception"]
        + cfg.lamb_gan * terms["gan"]
    )
    assert terms["total"].item() == pytest.approx(expected.item(), rel=1e-5) and terms["total"] > 0
    seq_t = target.unsqueeze(1).expand(1, 3, 3, *g.crop_size)
    flicker = (seq_t + 0.05 * torch.tensor([1.0, -1.0, 1.0]).view(1, 3, 1, 1, 1)).clamp(0, 1)
    assert loss.temporal(seq_t, seq_t)["total"].item() == pytest.approx(0.0, abs=1e-7)
    assert loss.temporal(flicker, seq_t)["total"].item() > 0
