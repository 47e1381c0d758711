"""Weight-file finders: what they find, in which order, and every place they say they looked."""

from __future__ import annotations

import pytest
import torch

from core.losses.vgg19 import VGG19Features, find_vgg19_weights, load_vgg19
from core.weights import ALEXNET_FILE, VGG19_FILE, find_lpips, find_vgg19


@pytest.fixture(scope="module")
def vgg_file(tmp_path_factory):
    """The project's own VGG19 trunk with random weights, saved in torchvision's key layout."""
    path = tmp_path_factory.mktemp("w") / "my_vgg19.pth"
    torch.save(VGG19Features(("relu1_1", "relu2_1")).state_dict(), path)
    return path


def _env(tmp_path, **extra):
    return {"HOME": str(tmp_path / "home"), "TORCH_HOME": str(tmp_path / "th"), **extra}


def test_vgg19_from_the_environment_variable_file_or_folder(tmp_path, vgg_file):
    search = find_vgg19(env=_env(tmp_path, DHSTUDIO_VGG19=str(vgg_file)))
    assert search.ok and search.found == vgg_file and search.looked[0] == vgg_file
    folder = tmp_path / "weights"
    folder.mkdir()
    (folder / VGG19_FILE).symlink_to(vgg_file)
    assert find_vgg19(env=_env(tmp_path, DHSTUDIO_VGG19=str(folder))).found == folder / VGG19_FILE


def test_the_perceptual_loss_loads_from_dhstudio_vgg19(tmp_path, vgg_file, monkeypatch):
    monkeypatch.setenv("DHSTUDIO_VGG19", str(vgg_file))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "empty"))
    assert find_vgg19_weights() == vgg_file
    vgg = load_vgg19(layers=("relu1_1",))
    saved = torch.load(vgg_file, weights_only=True)
    torch.testing.assert_close(vgg.features[0].weight, saved["features.0.weight"])


def test_a_user_path_wins_and_is_the_only_place_looked(tmp_path, vgg_file):
    env = _env(tmp_path, DHSTUDIO_VGG19=str(vgg_file))
    missing = tmp_path / "nope.pth"
    search = find_vgg19(missing, env=env)
    assert not search.ok and search.looked == (missing,)
    assert find_vgg19(vgg_file, env=_env(tmp_path)).found == vgg_file


def test_missing_vgg19_lists_every_place_in_order(tmp_path):
    env = _env(tmp_path, DHSTUDIO_VGG19=str(tmp_path / "gone.pth"), XDG_CACHE_HOME=str(tmp_path / "xdg"))
    search = find_vgg19(env=env)
    assert search.found is None
    assert search.looked == (
        tmp_path / "gone.pth",
        tmp_path / "th" / "hub" / "checkpoints" / VGG19_FILE,
        tmp_path / "xdg" / "torch" / "hub" / "checkpoints" / VGG19_FILE,
        tmp_path / "home" / ".cache" / "torch" / "hub" / "checkpoints" / VGG19_FILE,
        tmp_path / "home" / ".dhstudio" / "weights" / VGG19_FILE,
    )
    text = search.describe()
    assert VGG19_FILE in text and all(str(p) in text for p in search.looked)


def test_lpips_needs_both_files_and_dhstudio_lpips_may_name_their_folder(tmp_path):
    folder = tmp_path / "lpips"
    folder.mkdir()
    torch.save({"lin0.model.1.weight": torch.zeros(1, 64, 1, 1)}, folder / "alex.pth")
    only_heads = find_lpips(env=_env(tmp_path, DHSTUDIO_LPIPS=str(folder)))
    assert only_heads.heads.found == folder / "alex.pth" and only_heads.files is None
    assert ALEXNET_FILE in only_heads.describe() and "heads" not in only_heads.describe()
    torch.save({}, folder / ALEXNET_FILE)
    both = find_lpips(env=_env(tmp_path, DHSTUDIO_LPIPS=str(folder)))
    assert both.files == (folder / ALEXNET_FILE, folder / "alex.pth")
    explicit = find_lpips(folder / "alex.pth", env=_env(tmp_path))  # a heads file, trunk in the hub cache
    assert explicit.heads.found == folder / "alex.pth" and explicit.trunk.found is None


def test_doctor_rows_come_from_the_same_finders(tmp_path, vgg_file, monkeypatch):
    from studio.doctor import CHECKS, run_checks

    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "th"))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("DHSTUDIO_VGG19", str(vgg_file))
    monkeypatch.delenv("DHSTUDIO_LPIPS", raising=False)
    monkeypatch.setattr(
        "studio.doctor.CHECKS", [c for c in CHECKS if c.__name__ in ("_check_vgg19", "_check_lpips")]
    )
    vgg, lpips = run_checks()
    assert vgg.ok and str(vgg_file) in vgg.detail
    assert not lpips.ok and ALEXNET_FILE in lpips.detail and "lpips_alex.pth" in lpips.detail
    assert str(tmp_path / "th" / "hub" / "checkpoints") in lpips.detail
