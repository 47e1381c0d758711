"""LPIPS: reported unavailable without its weight files, computed with them (never faked)."""

from __future__ import annotations

import torch

from core.metrics.lpips import LpipsAlex, load_lpips, lpips_distance
from core.weights import ALEXNET_FILE, find_lpips


def _save_weights(folder, heads_name="lpips_alex.pth"):
    torch.manual_seed(0)
    net = LpipsAlex()
    trunk = {f"features.{k}": v for k, v in net.features.state_dict().items()}
    heads = {f"lin{i}.model.1.weight": torch.rand(1, c, 1, 1) for i, c in enumerate((64, 192, 384, 256, 256))}
    folder.mkdir(parents=True, exist_ok=True)
    torch.save(trunk, folder / ALEXNET_FILE)
    torch.save(heads, folder / heads_name)


def test_missing_weights_are_reported_with_the_places_looked(tmp_path):
    env = {"TORCH_HOME": str(tmp_path / "th"), "HOME": str(tmp_path)}
    search = find_lpips(env=env)
    assert search.files is None and not search.ok
    why = search.describe()
    assert ALEXNET_FILE in why and str(tmp_path / "th" / "hub" / "checkpoints") in why and "alex.pth" in why


def test_lpips_from_weight_files_is_zero_for_equal_images_and_grows_with_noise(tmp_path):
    hub = tmp_path / "th" / "hub" / "checkpoints"
    _save_weights(hub)
    search = find_lpips(env={"TORCH_HOME": str(tmp_path / "th"), "HOME": str(tmp_path)})
    assert search.files == (hub / ALEXNET_FILE, hub / "lpips_alex.pth")
    loaded = load_lpips(search.files, torch.device("cpu"))
    a = torch.rand(64, 64, 3)
    assert lpips_distance(loaded, a, a) == 0.0
    near = lpips_distance(loaded, a, (a + 0.05 * torch.randn_like(a)).clamp(0, 1))
    far = lpips_distance(loaded, a, torch.rand(64, 64, 3))
    assert 0.0 < near < far
