"""Each innovation changes what it should, and nothing when it is off."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core.face import topology
from core.gaussians.camera import Camera, intrinsics
from core.gaussians.train.config import (
    GaussianConfig,
    PerceptualConfig,
    ProgressiveConfig,
)
from core.gaussians.train.image_losses import photometric_loss
from core.gaussians.train.innovations import contrastive, progressive, region_weights, temporal
from core.gaussians.train.innovations.color_calibration import ColorCalibration
from core.gaussians.train.innovations.perceptual import build as build_perceptual
from core.jobs.errors import BadInput
from core.metrics.psnr import psnr
from core.metrics.ssim import ssim


def _face_uv(size: int) -> np.ndarray:
    layout = np.asarray(topology.frontal_layout(), dtype=np.float64)[:, :2]
    layout = (layout - layout.min(0)) / (layout.max(0) - layout.min(0)).max()
    return (layout * 0.8 + 0.1) * size


def test_region_weights_are_2_inside_the_mouth_mask_and_1_outside_the_face():
    size = 128
    uv = _face_uv(size)
    tris = topology.triangles(fill_holes=True, irises=True)
    w = region_weights.weight_map(uv, tris, {"eyes": 2.0, "mouth": 2.0, "nose": 1.5}, size, size)
    mouth = region_weights.fill_triangles(uv, tris[region_weights.group_triangles("mouth")], size, size)
    nose = region_weights.fill_triangles(uv, tris[region_weights.group_triangles("nose")], size, size)
    assert mouth.sum() > 30 and nose.sum() > 30
    assert np.all(w[mouth] == 2.0)
    assert np.all(w[nose & ~mouth] >= 1.5)
    assert w[0, 0] == 1.0 and w[size - 1, size - 1] == 1.0
    # the weighted loss grows by exactly the mouth weight for an error confined to the mouth
    target = torch.zeros(size, size, 3)
    render = target.clone()
    render[torch.from_numpy(mouth)] = 0.5
    base = photometric_loss(render, target, 1.0, 0.0)
    weighted = photometric_loss(render, target, 1.0, 0.0, torch.from_numpy(w))
    assert float(weighted) == pytest.approx(2.0 * float(base), rel=1e-5)


def test_region_triangle_mask_covers_eye_mouth_nose_triangles():
    mask = region_weights.region_triangle_mask(("eyes", "mouth", "nose"), 906)
    assert mask[topology.region_triangles("mouth_interior")].all()
    assert mask[topology.region_triangles("nose")].all()
    assert 50 < mask.sum() < 500


def test_progressive_resolution_schedule_and_camera():
    cfg = ProgressiveConfig(enabled=True)
    assert [progressive.scale_at(s, 100, cfg) for s in (0, 29, 30, 59, 60, 99)] == [
        0.5,
        0.5,
        0.75,
        0.75,
        1.0,
        1.0,
    ]
    assert progressive.scale_at(0, 100, ProgressiveConfig()) == 1.0
    cam = Camera(torch.eye(4), intrinsics(100.0, 100.0, 64.0, 64.0), 128, 128)
    w, h = progressive.scaled_size(128, 128, 0.5)
    small = progressive.scale_camera(cam, w, h)
    assert (small.width, small.height) == (64, 64)
    assert torch.allclose(small.K, torch.tensor([[50.0, 0, 32], [0, 50, 32], [0, 0, 1]]))


def test_color_calibration_starts_as_identity_and_learns_a_tint():
    torch.manual_seed(0)
    net = ColorCalibration(16)
    img = torch.rand(8, 8, 3)
    out, corr = net(img)
    assert torch.equal(out, img) and float(corr.detach()) == 0.0
    assert sum(p.numel() for p in net.parameters()) == 3 * 16 + 16 + 16 * 16 + 16 + 16 * 3 + 3
    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    target = img * torch.tensor([1.0, 0.8, 0.6])
    for _ in range(200):
        out, corr = net(img)
        loss = (out - target).abs().mean() + 1e-4 * corr
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert float((net(img)[0].detach() - target).abs().mean()) < 0.3 * float((img - target).abs().mean())


def test_contrastive_loss_pushes_renders_apart_and_cache_is_bounded():
    torch.manual_seed(0)
    a = torch.rand(32, 32, 3)
    cache: list[torch.Tensor] = []
    assert float(contrastive.contrastive_loss(a, cache, 8, 0.01)) == 0.0
    for _ in range(3):
        cache = contrastive.push(cache, torch.rand(32, 32, 3), 8, 2)
    assert len(cache) == 2 and cache[0].shape == (8 * 8 * 3,)
    same = contrastive.contrastive_loss(a, [contrastive.pooled(a, 8)], 8, 0.01)
    assert float(same) == pytest.approx(0.01, abs=1e-5)  # cosine 1 with itself
    other = [contrastive.pooled(0.5 * a + 0.5 * torch.rand(32, 32, 3), 8)]
    x = a.clone().requires_grad_(True)
    loss = contrastive.contrastive_loss(x, other, 8, 0.01)
    loss.backward()
    with torch.no_grad():
        moved = x - 100.0 * x.grad
    assert float(contrastive.contrastive_loss(moved, other, 8, 0.01)) < float(loss.detach()) - 1e-4


def test_temporal_loss_penalises_jitter_not_constant_offsets():
    frames = torch.arange(10)
    smooth = torch.ones(10, 6) * 0.3
    jitter = smooth.clone()
    jitter[::2] += 0.1
    assert float(temporal.temporal_loss(smooth, frames, 0.01)) == 0.0
    assert float(temporal.temporal_loss(jitter, frames, 0.01)) > 0.0
    ramp = torch.linspace(0, 1, 10)[:, None].repeat(1, 6)
    d1 = float(temporal.temporal_loss(ramp, frames, 1.0))
    assert d1 == pytest.approx(6 * (1 / 9) ** 2, rel=1e-4)  # only first differences, second are 0
    corr = temporal.MeshCorrections(10, extent=2.0)
    verts = torch.randn(20, 3)
    assert torch.allclose(corr(verts, 3), verts, atol=1e-6)
    with torch.no_grad():
        corr.params[3, 3:] = torch.tensor([0.5, 0.0, 0.0])
    assert torch.allclose(corr(verts, 3) - verts, torch.tensor([1.0, 0.0, 0.0]).expand(20, 3), atol=1e-5)


def test_perceptual_loss_names_the_missing_weight_file(tmp_path):
    with pytest.raises(BadInput, match="vgg19") as err:
        build_perceptual(
            PerceptualConfig(enabled=True, vgg19_path=str(tmp_path / "vgg19.pth")), torch.device("cpu")
        )
    # the way out is this config's own switch, not the lip-sync loss weight a Gaussian job does not have
    msg = str(err.value)
    assert "innovations.perceptual.vgg19_path" in msg and "innovations.perceptual.enabled = false" in msg
    assert "lamb_perception" not in msg


def test_image_metrics_and_config_defaults():
    a = torch.rand(32, 32, 3)
    assert float(ssim(a, a)) == pytest.approx(1.0, abs=1e-5)
    assert psnr(a, a) == float("inf")
    assert psnr(a, (a + 0.1).clamp(0, 1)) < 30.0
    cfg = GaussianConfig()
    assert cfg.enabled_innovations() == [] and not cfg.mesh_finetuned
    on = GaussianConfig.model_validate(
        {"innovations": {"temporal": {"enabled": True}}, "densify": {"strategy": "percentile"}}
    )
    assert on.enabled_innovations() == ["smart_densify", "temporal"] and on.mesh_finetuned
