"""LPIPS: reported unavailable without its weight files, computed with them (never faked)."""

from __future__ import annotations

import torch

from core.gaussians.train import lpips_metric
from core.gaussians.train.lpips_metric import LpipsAlex, find_lpips, load_lpips, lpips_distance


def test_missing_weights_are_reported_with_the_places_looked(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "th"))
    monkeypatch.setattr(lpips_metric, "torch_hub_checkpoints", lambda: [tmp_path / "hub"])
    files, why = find_lpips()
    assert files is None and "alexnet-owt-7be5be79.pth" in why and str(tmp_path / "hub") in why


def test_lpips_from_weight_files_is_zero_for_equal_images_and_grows_with_noise(tmp_path, monkeypatch):
    torch.manual_seed(0)
    net = LpipsAlex()
    trunk = {f"features.{k}": v for k, v in net.features.state_dict().items()}
    heads = {f"lin{i}.model.1.weight": torch.rand(1, c, 1, 1) for i, c in enumerate((64, 192, 384, 256, 256))}
    hub = tmp_path / "hub"
    hub.mkdir()
    torch.save(trunk, hub / lpips_metric.ALEXNET_FILE)
    torch.save(heads, hub / "lpips_alex.pth")
    monkeypatch.setattr(lpips_metric, "torch_hub_checkpoints", lambda: [hub])
    files, why = find_lpips()
    assert files is not None and why == ""
    loaded = load_lpips(files, torch.device("cpu"))
    a = torch.rand(64, 64, 3)
    assert lpips_distance(loaded, a, a) == 0.0
    near = lpips_distance(loaded, a, (a + 0.05 * torch.randn_like(a)).clamp(0, 1))
    far = lpips_distance(loaded, a, torch.rand(64, 64, 3))
    assert 0.0 < near < far
