"""Backend selection, and the gsplat backend against the PyTorch rasterizer (CUDA only)."""

from __future__ import annotations

import logging

import pytest
import torch

from core.gaussians.camera import Camera, intrinsics
from core.gaussians.render import gsplat_backend, native, torch_rasterizer
from core.gaussians.render.base import CompositeOptions, GaussiansWorld, RenderOptions
from core.gaussians.render.select import probe_gsplat, select_renderer
from core.jobs.errors import BadInput
from core.metrics.psnr import psnr

HAS_CUDA = torch.cuda.is_available()


@pytest.mark.usefixtures("native_module")
def test_auto_on_cpu_picks_the_fused_rasterizer_and_logs_why(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="core.gaussians.render.select"):
        sel = select_renderer("auto", "cpu")
    assert sel.renderer.name == "native" and sel.renderer.render is native.render
    assert "fused C++ CPU rasterizer, this machine's build (loaded from" in sel.reason
    assert any("Gaussian renderer: native" in r.getMessage() for r in caplog.records)


def test_torch_is_used_when_requested() -> None:
    sel = select_renderer("torch", "cpu")
    assert sel.renderer.render is torch_rasterizer.render and sel.reason == "requested"


@pytest.mark.skipif(HAS_CUDA, reason="checks the fallback on a machine without CUDA")
def test_without_cuda_gsplat_is_refused_and_auto_falls_back() -> None:
    assert probe_gsplat(torch.device("cuda")) is not None
    assert select_renderer("auto", "cuda").renderer.name == "torch"
    with pytest.raises(BadInput, match="renderer 'torch'"):
        select_renderer("gsplat", "cuda")


def test_unknown_renderer_is_a_user_error() -> None:
    with pytest.raises(BadInput, match="auto, native, torch, gsplat"):
        select_renderer("vulkan")


def test_gsplat_grad_proxy_mirrors_and_accumulates_the_gradient() -> None:
    source = torch.randn(1, 5, 2, requires_grad=True)
    means2d = source * 3.0
    proxy = gsplat_backend._screen_grad_proxy(means2d)
    assert proxy.shape == (5, 2)
    (means2d**2).sum().backward(retain_graph=True)
    torch.testing.assert_close(proxy.grad, 2 * means2d.detach()[0])
    (means2d**2).sum().backward()
    torch.testing.assert_close(proxy.grad, 4 * means2d.detach()[0])


@pytest.mark.skipif(not HAS_CUDA, reason="gsplat needs a CUDA GPU")
@pytest.mark.parametrize("degree", [0, 3])
def test_torch_rasterizer_matches_gsplat(degree: int) -> None:
    device = torch.device("cuda")
    assert probe_gsplat(device) is None, "CUDA is present but gsplat does not run"
    gen = torch.Generator().manual_seed(degree)
    n = 2000
    g = GaussiansWorld(
        means=torch.randn(n, 3, generator=gen) * 0.4 + torch.tensor([0.0, 0.0, 3.0]),
        quats=torch.randn(n, 4, generator=gen),
        scales=torch.rand(n, 3, generator=gen) * 0.05 + 0.005,
        opacities=torch.rand(n, generator=gen) * 0.9 + 0.05,
        sh=torch.randn(n, (degree + 1) ** 2, 3, generator=gen) * 0.4,
    )
    cam = Camera(torch.eye(4), intrinsics(150.0, 150.0, 64.0, 60.0), 128, 120)
    options = RenderOptions(composite=CompositeOptions(alpha_max=0.999, background=(0.1, 0.2, 0.3)))
    ours = torch_rasterizer.render(g, cam, options)
    g_cuda = GaussiansWorld(
        **{k: getattr(g, k).to(device) for k in ("means", "quats", "scales", "opacities", "sh")}
    )
    theirs = gsplat_backend.render(g_cuda, cam.to(device), options)
    assert psnr(ours.colors, theirs.colors.cpu()) >= 40.0
    assert psnr(ours.alphas, theirs.alphas.cpu()) >= 40.0
    visible = (ours.meta["radii"] > 0).all(-1)
    torch.testing.assert_close(
        theirs.meta["means2d"].cpu()[visible], ours.meta["means2d"].detach()[visible], atol=1e-3, rtol=1e-4
    )
