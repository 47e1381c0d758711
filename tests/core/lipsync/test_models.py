"""DINet full and mini: shapes at every mouth size, caching, attention maps, gradients, FLOPs."""

from __future__ import annotations

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from core.lipsync.config import AttentionConfig, RendererConfig
from core.lipsync.dinet_mini import DINetMini
from core.lipsync.factory import build_renderer
from core.lipsync.geometry import ALLOWED_MOUTH_SIZES

ATT_ALL = AttentionConfig.all_on()
MINI_BUDGET_FLOPS = 60e6


def _inputs(model, batch: int = 1, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    h, w = model.geometry.crop_size
    source = torch.rand(batch, 4, h, w, generator=g)
    source[:, :3] = model.geometry.mask_mouth(source[:, :3])
    refs = torch.rand(batch, model.cfg.num_references, 4, h, w, generator=g)
    return source, refs


def _small(variant: str, size: int, attention: AttentionConfig | None = None) -> RendererConfig:
    return RendererConfig(
        variant=variant,
        mouth_size=size,
        base_channels=4,
        res_blocks=1,
        attention=attention or AttentionConfig(),
    )


@pytest.mark.parametrize("size", ALLOWED_MOUTH_SIZES)
@pytest.mark.parametrize("variant", ["full", "mini"])
@pytest.mark.parametrize("with_attention", [False, True], ids=["plain", "attention"])
def test_shapes_range_and_maps(size: int, variant: str, with_attention: bool) -> None:
    torch.manual_seed(0)
    model = build_renderer(_small(variant, size, ATT_ALL if with_attention else AttentionConfig())).eval()
    h, w = model.geometry.crop_size
    assert (h, w) == (13 * size // 8, 5 * size // 4)
    source, refs = _inputs(model)
    with torch.no_grad():
        out, maps = model(source, refs, return_attention=True)
    assert out.shape == (1, 3, h, w)
    assert torch.isfinite(out).all() and out.min() >= 0 and out.max() <= 1
    if not with_attention:
        assert maps == {}
        return
    expected = {
        f"{p}.{m}"
        for p in ("encoder", "decoder")
        for m in ("spatial_channel", "mouth", "multi_scale", "fused")
    }
    assert set(maps) == expected
    for name, m in maps.items():
        assert m.shape == (1, 1, h, w), name
        assert torch.isfinite(m).all(), name
        assert m.min() >= 0 and m.max() <= 1, name


@pytest.mark.parametrize("variant", ["full", "mini"])
def test_cached_references_match_forward(variant: str) -> None:
    torch.manual_seed(1)
    model = build_renderer(_small(variant, 64, ATT_ALL)).eval()
    source, refs = _inputs(model, batch=2)
    with torch.no_grad():
        direct = model(source, refs)
        cache = model.encode_references(refs)
        cached = model.forward_cached(source, cache)
        # one cached reference set (batch 1) serves a batch of source frames
        single = model.forward_cached(source, model.encode_references(refs[:1].expand(2, -1, -1, -1, -1))[:1])
        per_frame = model(source, refs[:1].expand(2, -1, -1, -1, -1))
    torch.testing.assert_close(direct, cached)
    torch.testing.assert_close(single, per_frame)
    # the output depends on the source (it is not ignoring its input)
    with torch.no_grad():
        other = model.forward_cached(torch.rand_like(source), cache)
    assert (other - cached).abs().mean() > 1e-4


@pytest.mark.parametrize("variant", ["full", "mini"])
@pytest.mark.parametrize("fusion", [True, False], ids=["fused", "sequential"])
def test_gradients_reach_every_parameter(variant: str, fusion: bool) -> None:
    torch.manual_seed(2)
    model = build_renderer(_small(variant, 64, ATT_ALL.derive(fusion=fusion))).train()
    source, refs = _inputs(model, batch=2)
    target = torch.rand(2, 3, *model.geometry.crop_size)
    out = model(source, refs)
    (out - target).abs().mean().backward()
    missing = [n for n, p in model.named_parameters() if p.grad is None or not torch.any(p.grad != 0)]
    assert missing == []


def test_wrong_input_shapes_are_rejected() -> None:
    model = build_renderer(_small("mini", 64))
    source, refs = _inputs(model)
    with pytest.raises(ValueError, match="source must be"):
        model(source[:, :3], refs)
    with pytest.raises(ValueError, match="references must be"):
        model(source, refs[:, :4])
    with pytest.raises(ValueError, match="source must be"):
        model(torch.rand(1, 4, 64, 64), refs)


def test_variant_classes_reject_the_other_config() -> None:
    with pytest.raises(ValueError, match="mini"):
        DINetMini(RendererConfig(variant="full"))


def _cached_flops(cfg: RendererConfig) -> int:
    model = build_renderer(cfg).eval()
    source, refs = _inputs(model)
    with torch.no_grad():
        cache = model.encode_references(refs)
        counter = FlopCounterMode(display=False)
        with counter:
            model.forward_cached(source, cache)
    return counter.get_total_flops()


@pytest.mark.parametrize("attention", [AttentionConfig(), ATT_ALL], ids=["plain", "attention"])
def test_mini_flops_within_budget(attention: AttentionConfig) -> None:
    cfg = RendererConfig(variant="mini", attention=attention)  # default size and width
    assert cfg.mouth_size == 64
    flops = _cached_flops(cfg)
    assert 5e6 < flops <= MINI_BUDGET_FLOPS, f"DINet mini: {flops / 1e6:.1f} MFLOPs per frame"
    # a full model of the same width is several times heavier: the budget is not met trivially
    assert _cached_flops(RendererConfig(variant="full", base_channels=8)) > 3 * flops


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.parametrize("variant", ["full", "mini"])
def test_cuda_matches_cpu(variant: str) -> None:
    torch.manual_seed(4)
    model = build_renderer(_small(variant, 64, ATT_ALL)).eval()
    source, refs = _inputs(model)
    with torch.no_grad():
        cpu_out, cpu_maps = model(source, refs, return_attention=True)
        gpu = model.to("cuda")
        gpu_out, gpu_maps = gpu(source.cuda(), refs.cuda(), return_attention=True)
    torch.testing.assert_close(gpu_out.cpu(), cpu_out, atol=2e-3, rtol=0)
    assert set(gpu_maps) == set(cpu_maps)


@pytest.mark.slow
@pytest.mark.parametrize("variant", ["full", "mini"])
def test_learns_the_mouth_from_the_references(variant: str) -> None:
    """A few Adam steps on one sample: the masked mouth can only come from the references."""
    torch.manual_seed(5)
    model = build_renderer(_small(variant, 64, ATT_ALL).derive(base_channels=8)).train()
    g = model.geometry
    h, w = g.crop_size
    target = torch.nn.functional.interpolate(torch.rand(2, 3, 13, 10), size=(h, w), mode="bilinear")
    source = torch.cat([g.mask_mouth(target), torch.rand(2, 1, h, w)], dim=1)
    refs = torch.cat([target.unsqueeze(1).expand(2, 5, 3, h, w), torch.rand(2, 5, 1, h, w)], dim=2)
    opt = torch.optim.Adam(model.parameters(), 3e-3)
    errors = []
    for _ in range(60):
        out = model(source, refs)
        loss = (out - target).abs().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        errors.append((g.cut_mouth(out) - g.cut_mouth(target)).abs().mean().item())
    assert errors[-1] < 0.3 * errors[0]


def test_a_variant_refuses_the_other_variants_config():
    from core.lipsync.dinet_full import DINetFull

    with pytest.raises(ValueError, match="DINetMini needs variant 'mini', got 'full'"):
        DINetMini(_small("full", 64))
    with pytest.raises(ValueError, match="DINetFull needs variant 'full', got 'mini'"):
        DINetFull(_small("mini", 64))
