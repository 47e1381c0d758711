"""The fused DINet mini kernel renders what `forward_cached` renders, and declines what it does not run."""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pytest
import torch

from core.lipsync import native_mini
from core.lipsync.config import AttentionConfig, RendererConfig
from core.lipsync.factory import build_renderer
from tests.core.lipsync.test_fold import trained_like


def _net(cfg: RendererConfig) -> tuple[torch.nn.Module, torch.Tensor]:
    """A renderer with trained-like batch-norm statistics and AdaAT heads far from the identity warp
    (rotations, scales and shifts that move samples off the map: the zeros padding matters)."""
    torch.manual_seed(0)
    net = trained_like(build_renderer(cfg))
    gen = torch.Generator().manual_seed(2)
    with torch.no_grad():
        for head in (net.adaat.scale, net.adaat.rotation, net.adaat.translation):
            head.weight.copy_(torch.randn(head.weight.shape, generator=gen) * 0.3)
            head.bias.copy_(torch.randn(head.bias.shape, generator=gen) * 0.5)
    h, w = net.geometry.crop_size
    with torch.inference_mode():
        ref = net.encode_references(torch.rand(1, cfg.num_references, 4, h, w, generator=gen))
    return net, ref


def _max_error(module: ModuleType, net: torch.nn.Module, ref: torch.Tensor, batch: int) -> float:
    h, w = net.geometry.crop_size
    source = np.random.default_rng(batch).random((batch, 4, h, w), np.float32)
    with torch.inference_mode():
        want = net.forward_cached(torch.from_numpy(source), ref).numpy()
    got = native_mini.NativeCrops(module, net, ref).render(source)
    assert got.shape == want.shape == (batch, 3, h, w)
    assert want.std() > 0.01  # a render with structure, not a constant
    return float(np.abs(got - want).max())


@pytest.mark.parametrize("mouth_size", [64, 96, 128])
@pytest.mark.parametrize("batch", [1, 3])
def test_matches_forward_cached(native_mini_module, mouth_size: int, batch: int) -> None:
    """96 has a 20 x 15 bottleneck: stride-2 levels of odd size and an upsampling that is not 2x."""
    net, ref = _net(RendererConfig(variant="mini", mouth_size=mouth_size))
    assert _max_error(native_mini_module, net, ref, batch) < 1e-4


@pytest.mark.parametrize(("width", "res_blocks", "mouth_size"), [(16, 1, 64), (8, 0, 64), (8, 2, 160)])
def test_matches_forward_cached_at_other_widths_and_depths(
    native_mini_module, width: int, res_blocks: int, mouth_size: int
) -> None:
    """Width 16 takes the other register blockings (16..256 channels); no residual blocks at all;
    mouth 160 has four encoder levels."""
    cfg = RendererConfig(variant="mini", mouth_size=mouth_size, base_channels=width, res_blocks=res_blocks)
    net, ref = _net(cfg)
    assert _max_error(native_mini_module, net, ref, 2) < 1e-4


def test_frames_of_a_batch_on_several_threads_match(native_mini_module) -> None:
    net, ref = _net(RendererConfig(variant="mini", mouth_size=64))
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        assert _max_error(native_mini_module, net, ref, 5) < 1e-4
    finally:
        torch.set_num_threads(before)


@pytest.mark.parametrize(
    ("cfg", "says"),
    [
        (RendererConfig(variant="full", mouth_size=64), "DINet mini only"),
        (RendererConfig(variant="mini", attention=AttentionConfig(mouth=True)), "attention"),
        (RendererConfig(variant="mini", base_channels=4), "multiples of 8"),
    ],
)
def test_models_it_does_not_run_are_declined(native_mini_module, cfg: RendererConfig, says: str) -> None:
    net = build_renderer(cfg).eval()
    assert says in native_mini.model_problem(net)
    with pytest.raises(ValueError, match=says):
        native_mini.NativeCrops(native_mini_module, net, torch.zeros(1, net.channels[-1], 2, 2))


def test_one_cached_reference_set_only(native_mini_module) -> None:
    net, ref = _net(RendererConfig(variant="mini", mouth_size=64))
    assert native_mini.model_problem(net, ref) is None
    assert "one set of reference features" in native_mini.model_problem(net, ref.expand(2, -1, -1, -1))


def test_a_missing_build_says_how_to_build_it(tmp_path) -> None:
    module, detail = native_mini.EXTENSION.load_module(tmp_path, fresh=True)
    assert module is None and "not built" in detail and "python -m core.lipsync.build_native" in detail


def test_parity_check_reports_the_kernel_s_error(native_mini_module) -> None:
    net, ref = _net(RendererConfig(variant="mini", mouth_size=64))
    p = native_mini.check_parity(native_mini.NativeCrops(native_mini_module, net, ref), net, ref)
    assert p.ok and p.max_abs_diff < 1e-5


def test_a_source_of_another_crop_size_is_refused(native_mini_module) -> None:
    net, ref = _net(RendererConfig(variant="mini", mouth_size=64))
    crops = native_mini.NativeCrops(native_mini_module, net, ref)
    with pytest.raises(ValueError, match="the source must be float32"):
        crops.render(np.zeros((1, 4, 156, 120), np.float32))  # mouth 96's crop
