"""Batch-norm folded into convolutions computes what the unfolded network computes."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from core.lipsync.config import RendererConfig
from core.lipsync.factory import build_renderer
from core.lipsync.fold import fold_batchnorm


def trained_like(net: nn.Module) -> nn.Module:
    gen = torch.Generator().manual_seed(1)
    for m in net.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.copy_(torch.rand(m.num_features, generator=gen) - 0.5)
            m.running_var.copy_(torch.rand(m.num_features, generator=gen) + 0.5)
            m.weight.data.copy_(torch.rand(m.num_features, generator=gen) + 0.5)
            m.bias.data.copy_(torch.rand(m.num_features, generator=gen) - 0.5)
    return net.eval()


@pytest.mark.parametrize("variant", ["mini", "full"])
def test_folded_renderer_matches_eager(variant: str) -> None:
    torch.manual_seed(0)
    net = trained_like(build_renderer(RendererConfig(variant=variant, mouth_size=64)))
    folded, count = fold_batchnorm(net)
    bns = sum(isinstance(m, nn.BatchNorm2d) for m in net.modules())
    assert count == bns > 0  # every batch-norm in these models follows a convolution
    assert not any(isinstance(m, nn.BatchNorm2d) for m in folded.modules())
    h, w = net.geometry.crop_size
    refs, source = torch.rand(1, 5, 4, h, w), torch.rand(3, 4, h, w)
    with torch.inference_mode():
        want = net(source, refs.expand(3, -1, -1, -1, -1))
        got = folded(source, refs.expand(3, -1, -1, -1, -1))
    torch.testing.assert_close(got, want, atol=2e-5, rtol=1e-4)
    assert any(isinstance(m, nn.BatchNorm2d) for m in net.modules())  # the original is untouched
