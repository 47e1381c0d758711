"""VGG19 weights in torchvision's layout, the lookup rules, and the perceptual loss."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from core.jobs.errors import BadInput
from core.losses.perceptual import PerceptualLoss
from core.losses.vgg19 import VGG19_FILE, VGG19Features, find_vgg19_weights, load_vgg19

# torchvision vgg19: conv layers sit at these indices of `features`
CONV_INDICES = (0, 2, 5, 7, 10, 12, 14, 16, 19, 21, 23, 25, 28, 30, 32, 34)
CHANNELS = (64, 64, 128, 128, 256, 256, 256, 256, 512, 512, 512, 512, 512, 512, 512, 512)


@pytest.fixture(scope="module")
def torchvision_state(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, torch.Tensor]]:
    """A random VGG19 state dict with torchvision's keys (small fake classifier), saved to disk."""
    g = torch.Generator().manual_seed(0)
    state: dict[str, torch.Tensor] = {}
    cin = 3
    for idx, cout in zip(CONV_INDICES, CHANNELS, strict=True):
        state[f"features.{idx}.weight"] = torch.randn(cout, cin, 3, 3, generator=g) * (2.0 / (9 * cin)) ** 0.5
        state[f"features.{idx}.bias"] = torch.randn(cout, generator=g) * 0.01
        cin = cout
    state["classifier.0.weight"] = torch.zeros(4, 8)  # ignored by the feature trunk
    state["classifier.0.bias"] = torch.zeros(4)
    path = tmp_path_factory.mktemp("hub") / VGG19_FILE
    torch.save(state, path)
    return path, state


def test_loads_torchvision_layout(torchvision_state) -> None:
    path, state = torchvision_state
    vgg = load_vgg19(path)
    own = vgg.state_dict()
    assert set(own) == {f"features.{i}.{k}" for i in CONV_INDICES[:13] for k in ("weight", "bias")}
    for key, value in own.items():
        torch.testing.assert_close(value, state[key])
    assert not any(p.requires_grad for p in vgg.parameters())
    feats = vgg(torch.rand(1, 3, 32, 32))
    assert [f.shape[1] for f in feats] == [64, 128, 256, 512, 512]
    assert [f.shape[-1] for f in feats] == [32, 16, 8, 4, 2]


def test_found_in_torch_hub_cache(torchvision_state, tmp_path: Path) -> None:
    path, _ = torchvision_state
    torch_home = path.parent.parent / "torch_home"
    (torch_home / "hub" / "checkpoints").mkdir(parents=True, exist_ok=True)
    target = torch_home / "hub" / "checkpoints" / VGG19_FILE
    if not target.exists():
        target.symlink_to(path)
    env = {"TORCH_HOME": str(torch_home), "HOME": str(tmp_path)}
    assert find_vgg19_weights(None, env) == target
    vgg = load_vgg19(None, layers=("relu1_1",), env=env)
    assert len(vgg.features) == 2
    # without TORCH_HOME the default ~/.cache/torch/hub/checkpoints is used
    default = tmp_path / ".cache" / "torch" / "hub" / "checkpoints"
    default.mkdir(parents=True)
    (default / VGG19_FILE).symlink_to(path)
    assert find_vgg19_weights(None, {"HOME": str(tmp_path)}) == default / VGG19_FILE


def test_missing_file_names_file_and_places(tmp_path: Path) -> None:
    env = {"TORCH_HOME": str(tmp_path / "th"), "XDG_CACHE_HOME": str(tmp_path / "xdg"), "HOME": str(tmp_path)}
    with pytest.raises(BadInput) as err:
        load_vgg19(None, env=env)
    msg = str(err.value)
    assert VGG19_FILE in msg
    for folder in (
        tmp_path / "th" / "hub" / "checkpoints",
        tmp_path / "xdg" / "torch" / "hub" / "checkpoints",
        tmp_path / ".cache" / "torch" / "hub" / "checkpoints",
    ):
        assert str(folder / VGG19_FILE) in msg
    user = tmp_path / "my_vgg.pth"
    with pytest.raises(BadInput, match=r"my_vgg\.pth"):
        load_vgg19(user, env=env)


def test_rejects_wrong_state_dict(tmp_path: Path) -> None:
    path = tmp_path / VGG19_FILE
    torch.save({"features.0.weight": torch.zeros(64, 3, 3, 3)}, path)
    with pytest.raises(BadInput, match="missing"):
        load_vgg19(path)
    path.write_bytes(b"not a checkpoint")
    with pytest.raises(BadInput, match="could not read"):
        load_vgg19(path)


def test_perceptual_loss_zero_for_identical_and_grows(torchvision_state) -> None:
    path, _ = torchvision_state
    vgg = load_vgg19(path, layers=("relu1_1", "relu2_1", "relu3_1"))
    loss = PerceptualLoss(vgg, scales=(1.0, 0.5))
    g = torch.Generator().manual_seed(1)
    target = torch.rand(2, 3, 32, 24, generator=g)
    noise = torch.randn(2, 3, 32, 24, generator=g)
    assert loss(target, target.clone()).item() == pytest.approx(0.0, abs=1e-7)
    values = [loss((target + a * noise).clamp(0, 1), target).item() for a in (0.02, 0.1, 0.3)]
    assert 0 < values[0] < values[1] < values[2]
    pred = target.clone().requires_grad_(True)
    loss(pred * 0.9, target).backward()
    assert pred.grad is not None and pred.grad.abs().sum() > 0


def test_unknown_layer() -> None:
    with pytest.raises(ValueError, match="relu9_9"):
        VGG19Features(("relu9_9",))
