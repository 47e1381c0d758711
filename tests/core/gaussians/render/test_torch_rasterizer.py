"""The PyTorch rasterizer against the brute-force per-pixel reference: images and gradients."""

from __future__ import annotations

import pytest
import torch

from core.gaussians.camera import Camera, intrinsics
from core.gaussians.render._reference import render_reference
from core.gaussians.render.base import CompositeOptions, GaussiansWorld, RenderOptions
from core.gaussians.render.torch_rasterizer import render

PARAMS = ("means", "quats", "scales", "opacities", "sh")


def make_scene(
    n: int,
    degree: int,
    seed: int,
    opacity_lo: float = 0.05,
    spread: float = 0.3,
    dtype: torch.dtype = torch.float64,
) -> dict[str, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    centre = torch.tensor([0.0, 0.0, 2.5], dtype=dtype)
    means = torch.randn(n, 3, generator=gen, dtype=dtype) * spread + centre
    return {
        "means": means,
        "quats": torch.randn(n, 4, generator=gen, dtype=dtype),
        "scales": torch.rand(n, 3, generator=gen, dtype=dtype) * 0.15 + 0.02,
        "opacities": torch.rand(n, generator=gen, dtype=dtype) * (0.999 - opacity_lo) + opacity_lo,
        "sh": torch.randn(n, (degree + 1) ** 2, 3, generator=gen, dtype=dtype) * 0.5,
    }


def make_camera(width: int = 37, height: int = 29, dtype: torch.dtype = torch.float64) -> Camera:
    view = torch.eye(4, dtype=dtype)
    view[:3, 3] = torch.tensor([0.05, -0.03, 0.1], dtype=dtype)
    return Camera(view, intrinsics(40.0, 43.0, width / 2 - 1.3, height / 2 + 0.7).to(dtype), width, height)


def both(params: dict[str, torch.Tensor], camera: Camera, options: RenderOptions, depth_chunk: int = 32):
    g = GaussiansWorld(**params)
    return render(g, camera, options, depth_chunk=depth_chunk), render_reference(g, camera, options)


@pytest.mark.parametrize(("degree", "tile_size"), [(0, 4), (1, 8), (2, 16), (3, 8)])
def test_images_match_reference(degree: int, tile_size: int) -> None:
    options = RenderOptions(composite=CompositeOptions(tile_size=tile_size, background=(0.2, 0.5, 0.9)))
    ours, ref = both(make_scene(40, degree, seed=degree), make_camera(), options, depth_chunk=5)
    assert ours.colors.shape == (29, 37, 3) and ours.alphas.shape == (29, 37, 1)
    assert ref.alphas.max() > 0.5  # the scene is actually visible
    torch.testing.assert_close(ours.colors, ref.colors, rtol=1e-9, atol=1e-9)
    torch.testing.assert_close(ours.alphas, ref.alphas, rtol=1e-9, atol=1e-9)
    torch.testing.assert_close(ours.depth, ref.depth, rtol=1e-7, atol=1e-7)


def test_early_termination_matches_reference() -> None:
    """Many nearly opaque layers: pixels reach the transmittance floor and stop."""
    params = make_scene(60, 0, seed=11, opacity_lo=0.97, spread=0.05)
    params["scales"] = params["scales"] * 3
    options = RenderOptions(composite=CompositeOptions(alpha_max=0.999))
    ours, ref = both(params, make_camera(), options, depth_chunk=4)
    # with 60 layers of alpha ~0.98 an unterminated pixel would reach 1 - 1e-40; the floor holds it back
    assert float(ref.alphas.max()) < 1 - 5e-5
    assert (ref.alphas > 0.999).sum() > 20
    torch.testing.assert_close(ours.colors, ref.colors, rtol=1e-9, atol=1e-9)
    torch.testing.assert_close(ours.alphas, ref.alphas, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize(("degree", "seed", "opacity_lo"), [(0, 3, 0.05), (1, 4, 0.05), (3, 5, 0.9)])
def test_gradients_match_reference(degree: int, seed: int, opacity_lo: float) -> None:
    params = make_scene(25, degree, seed=seed, opacity_lo=opacity_lo)
    for p in params.values():
        p.requires_grad_(True)
    options = RenderOptions(composite=CompositeOptions(background=(0.3, 0.1, 0.7)))
    ours, ref = both(params, make_camera(23, 19), options, depth_chunk=3)
    weights = torch.rand(19, 23, 5, generator=torch.Generator().manual_seed(0), dtype=torch.float64)

    def loss(out):
        return (torch.cat([out.colors, out.alphas, out.depth], -1) * weights).sum()

    g_ours = torch.autograd.grad(loss(ours), list(params.values()))
    g_ref = torch.autograd.grad(loss(ref), list(params.values()))
    for name, a, b in zip(PARAMS, g_ours, g_ref, strict=True):
        assert b.abs().max() > 0, name
        torch.testing.assert_close(a, b, rtol=1e-7, atol=1e-8, msg=lambda m, name=name: f"{name}: {m}")


def test_means2d_gradient_is_retained_and_culled_gaussians_are_inert() -> None:
    params = make_scene(20, 0, seed=8, dtype=torch.float32)
    params["means"][0] = torch.tensor([0.0, 0.0, -1.0])  # behind the camera
    params["means"][1] = torch.tensor([50.0, 0.0, 2.0])  # far off screen
    for p in params.values():
        p.requires_grad_(True)
    out = render(GaussiansWorld(**params), make_camera(dtype=torch.float32))
    out.colors.sum().backward()
    radii, grad2d = out.meta["radii"], out.meta["means2d"].grad
    assert radii.shape == (20, 2) and radii.dtype == torch.int32
    assert (radii[:2] == 0).all() and (radii[2:] > 0).any()
    assert grad2d is not None and grad2d.shape == (20, 2)
    assert torch.isfinite(params["means"].grad).all() and torch.isfinite(params["quats"].grad).all()
    assert (grad2d[:2] == 0).all() and grad2d[2:].abs().sum() > 0


def test_float32_matches_float64() -> None:
    p64 = make_scene(200, 1, seed=9, spread=0.5)
    p32 = {k: v.float() for k, v in p64.items()}
    cam = make_camera(64, 48)
    a = render(GaussiansWorld(**p64), cam)
    b = render(GaussiansWorld(**p32), cam.to("cpu", torch.float32))
    torch.testing.assert_close(b.colors.double(), a.colors, atol=2e-4, rtol=0)


def test_empty_scene_renders_background() -> None:
    params = make_scene(3, 0, seed=1)
    params["means"][:, 2] = -5.0  # everything behind the camera
    out = render(
        GaussiansWorld(**params),
        make_camera(),
        RenderOptions(composite=CompositeOptions(background=(0.1, 0.2, 0.3))),
    )
    bg = torch.tensor([0.1, 0.2, 0.3], dtype=torch.float64)
    torch.testing.assert_close(out.colors, bg.expand(29, 37, 3))
    assert float(out.alphas.abs().max()) == 0.0


def test_forward_only_path_equals_autograd_path() -> None:
    params = make_scene(300, 2, seed=12, opacity_lo=0.5, spread=0.2, dtype=torch.float32)
    cam = make_camera(48, 40, dtype=torch.float32)
    with torch.no_grad():
        fast = render(GaussiansWorld(**params), cam, depth_chunk=7)
    grad_params = {k: v.clone().requires_grad_(True) for k, v in params.items()}
    slow = render(GaussiansWorld(**grad_params), cam, depth_chunk=7)
    assert float(fast.alphas.max()) > 0.999  # some pixels terminate
    torch.testing.assert_close(fast.colors, slow.colors.detach(), rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(fast.alphas, slow.alphas.detach(), rtol=1e-5, atol=1e-6)


def test_composite_backward_passes_gradcheck() -> None:
    from core.gaussians.render.torch_rasterizer import _CompositeFn

    gen = torch.Generator().manual_seed(2)
    alpha = (torch.rand(2, 6, 5, generator=gen, dtype=torch.float64) * 0.9).requires_grad_(True)
    feat = torch.rand(2, 6, 3, generator=gen, dtype=torch.float64).requires_grad_(True)
    trans = (torch.rand(2, 5, generator=gen, dtype=torch.float64) * 0.5 + 0.5).requires_grad_(True)
    done = torch.zeros(2, 5, dtype=torch.bool)
    done[1, 2] = True
    # a floor that some pixels cross inside the block, so the termination mask is exercised
    assert torch.autograd.gradcheck(
        lambda a, f, t: _CompositeFn.apply(a, f, t, done, 0.02), (alpha, feat, trans)
    )
