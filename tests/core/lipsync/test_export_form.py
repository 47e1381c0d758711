"""The renderer's export form (AdaAT as MatMul + gather, up-blocks without concat) computes what the
renderer computes."""

from __future__ import annotations

import pytest
import torch

from core.lipsync.adaat import AdaAT
from core.lipsync.blocks import UpBlock
from core.lipsync.config import RendererConfig
from core.lipsync.export_form import GatherAdaAT, SplitUpBlock, export_form
from core.lipsync.factory import build_renderer
from tests.core.lipsync.test_fold import trained_like


@pytest.mark.parametrize(("batch", "h", "w"), [(1, 13, 10), (2, 7, 5), (3, 1, 4), (1, 4, 1), (1, 16, 16)])
def test_gather_warp_equals_grid_sample(batch: int, h: int, w: int) -> None:
    torch.manual_seed(h * w + batch)
    adaat = AdaAT(16, 8).eval()
    for head in (adaat.scale, adaat.rotation, adaat.translation):
        torch.nn.init.normal_(head.weight, std=2.0)  # large warps: many samples fall off the map
    features, code = torch.randn(batch, 8, h, w), torch.randn(batch, 16)
    with torch.no_grad():
        want, got = adaat(features, code), GatherAdaAT(adaat)(features, code)
        _, _, shift = adaat.params(code)
    assert shift.abs().max() > 0.9  # some channels really shift (almost) off the map
    torch.testing.assert_close(got, want, atol=2e-5, rtol=0)


def test_identity_warp_returns_the_features() -> None:
    adaat = AdaAT(4, 3).eval()
    for head in (adaat.scale, adaat.rotation, adaat.translation):
        torch.nn.init.zeros_(head.weight)  # scale 1, angle 0, shift 0
    features = torch.randn(1, 3, 6, 5)
    with torch.no_grad():
        torch.testing.assert_close(
            GatherAdaAT(adaat)(features, torch.randn(1, 4)), features, atol=1e-6, rtol=0
        )


@pytest.mark.parametrize("variant", ["mini", "full"])
def test_export_form_swaps_in_a_copy_and_computes_the_same(variant: str) -> None:
    torch.manual_seed(0)
    net = trained_like(
        build_renderer(RendererConfig(variant=variant, mouth_size=64, base_channels=8, res_blocks=1))
    )
    copy = export_form(net)
    assert isinstance(net.adaat, AdaAT) and isinstance(copy.adaat, GatherAdaAT)
    assert all(isinstance(b, UpBlock) for b in net.ups) and all(isinstance(b, SplitUpBlock) for b in copy.ups)
    h, w = net.geometry.crop_size
    source, refs = torch.rand(2, 4, h, w), torch.rand(1, 5, 4, h, w)
    with torch.no_grad():
        ref = net.encode_references(refs)
        want = net.forward_cached(source, ref)
        torch.testing.assert_close(copy.forward_cached(source, ref), want, atol=1e-5, rtol=0)
