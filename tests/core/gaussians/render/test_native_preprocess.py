"""The native projection + SH colours against the PyTorch preprocessing (the reference), in float64."""

from __future__ import annotations

import pytest
import torch

from core.gaussians.camera import Camera
from core.gaussians.render import native
from core.gaussians.render.base import GaussiansWorld, ProjectionOptions, RenderOptions
from core.gaussians.render.pipeline import torch_preprocess
from tests.core.gaussians.render.test_torch_rasterizer import PARAMS, make_camera, make_scene

pytestmark = pytest.mark.usefixtures("native_module")


def awkward_scene(n: int, degree: int, seed: int) -> dict[str, torch.Tensor]:
    """Gaussians behind the camera, beyond the clamped field of view, below alpha_min and far off."""
    p = make_scene(n, degree, seed=seed, spread=0.6)
    p["means"][0, 2] = -1.0  # behind the camera
    p["means"][1, 0] = 4.0  # far right: the Jacobian's x is clamped
    p["means"][2, 1] = -3.5  # far up: the Jacobian's y is clamped
    p["opacities"][3] = 0.002  # below alpha_min: culled
    p["means"][4] = torch.tensor([30.0, 0.0, 2.0], dtype=p["means"].dtype)  # off screen
    return p


def _both(params, camera: Camera, options: RenderOptions, degree: int):
    g = GaussiansWorld(**params)
    return native.preprocess(g, camera, options, degree), torch_preprocess(g, camera, options, degree)


@pytest.mark.parametrize(
    ("degree", "stored", "render_depth"), [(0, 0, True), (1, 2, False), (2, 2, True), (3, 3, True)]
)
def test_outputs_match_the_pytorch_preprocessing(degree: int, stored: int, render_depth: bool) -> None:
    options = RenderOptions(projection=ProjectionOptions(eps2d=0.25), render_depth=render_depth)
    (proj, feat), (ref, ref_feat) = _both(
        awkward_scene(40, stored, seed=degree), make_camera(), options, degree
    )
    assert feat.shape == ref_feat.shape == (40, 4 if render_depth else 3)
    torch.testing.assert_close(proj.radii, ref.radii, rtol=0, atol=0)
    assert int((ref.radii > 0).all(-1).sum()) > 20 and not bool((ref.radii[:5] > 0).all(-1).any())
    for ours, theirs in ((proj.means2d, ref.means2d), (proj.depths, ref.depths), (feat, ref_feat)):
        torch.testing.assert_close(ours, theirs, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(proj.conics, ref.conics, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize(("degree", "render_depth"), [(0, True), (1, True), (2, False), (3, True)])
def test_gradients_match_the_pytorch_preprocessing(degree: int, render_depth: bool) -> None:
    """Random upstream gradients on every output, the depths (meta) included."""
    scene = awkward_scene(30, 3, seed=10 + degree)
    options = RenderOptions(render_depth=render_depth)
    gen = torch.Generator().manual_seed(degree)
    grads = []
    for fn in (native.preprocess, torch_preprocess):
        params = {k: v.clone().requires_grad_(True) for k, v in scene.items()}
        proj, feat = fn(GaussiansWorld(**params), make_camera(), options, degree)
        outs = (proj.means2d, proj.conics, proj.depths, feat)
        gen.manual_seed(degree)
        weights = [torch.randn(o.shape, generator=gen, dtype=o.dtype) for o in outs]
        loss = sum((o * w).sum() for o, w in zip(outs, weights, strict=True))
        grads.append(torch.autograd.grad(loss, [params[k] for k in ("means", "quats", "scales", "sh")]))
    for name, ours, theirs in zip(("means", "quats", "scales", "sh"), *grads, strict=True):
        assert theirs.abs().max() > 0, name
        torch.testing.assert_close(ours, theirs, rtol=1e-9, atol=1e-10, msg=lambda m, n=name: f"{n}: {m}")


def test_preprocessing_passes_gradcheck() -> None:
    params = make_scene(5, 2, seed=7)
    cam = make_camera(21, 17)
    options = RenderOptions()

    def f(means, quats, scales, sh):
        g = GaussiansWorld(means, quats, scales, params["opacities"], sh)
        proj, feat = native.preprocess(g, cam, options, 2)
        return proj.means2d, proj.conics, feat

    inputs = tuple(params[k].clone().requires_grad_(True) for k in ("means", "quats", "scales", "sh"))
    assert torch.autograd.gradcheck(f, inputs, eps=1e-6, atol=1e-6)


def test_a_camera_that_needs_gradients_is_projected_by_pytorch() -> None:
    """The kernel has no camera gradients: such a camera takes the PyTorch projection, and gets them."""
    params = {k: v.requires_grad_(True) for k, v in make_scene(20, 1, seed=2).items()}
    cam = make_camera()
    view = cam.viewmat.clone().requires_grad_(True)
    out = native.render(GaussiansWorld(**params), Camera(view, cam.K, cam.width, cam.height))
    assert out.meta["backend"] == "native" and "Preprocess" not in type(out.meta["conics"].grad_fn).__name__
    out.colors.sum().backward()
    assert view.grad is not None and float(view.grad.abs().max()) > 0
    assert all(float(params[k].grad.abs().max()) > 0 for k in PARAMS)


def test_float32_matches_the_pytorch_preprocessing() -> None:
    scene = {k: v.float() for k, v in make_scene(300, 3, seed=5, spread=0.5).items()}
    (proj, feat), (ref, ref_feat) = _both(scene, make_camera(dtype=torch.float32), RenderOptions(), 3)
    assert proj.means2d.dtype == torch.float32
    assert float((proj.radii != ref.radii).float().mean()) < 0.01  # a ceil() may round the other way
    torch.testing.assert_close(proj.means2d, ref.means2d, rtol=1e-5, atol=1e-4)
    torch.testing.assert_close(proj.conics, ref.conics, rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(feat, ref_feat, rtol=1e-5, atol=1e-5)
