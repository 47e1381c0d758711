"""The fused C++ rasterizer against the PyTorch rasterizer and the brute-force reference."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
import torch

from core import native_cache
from core.gaussians.render import native, torch_rasterizer
from core.gaussians.render._reference import render_reference
from core.gaussians.render.base import CompositeOptions, GaussiansWorld, RenderOptions
from core.gaussians.render.select import select_renderer
from tests.conftest import REPO_ROOT
from tests.core.gaussians.render.test_torch_rasterizer import PARAMS, make_camera, make_scene

pytestmark = pytest.mark.usefixtures("native_module")


def _outputs(out) -> torch.Tensor:
    return torch.cat([out.colors, out.alphas, out.depth], -1)


@pytest.mark.parametrize(("degree", "tile_size"), [(0, 4), (1, 8), (2, 16), (3, 8)])
def test_images_match_the_reference_in_float64(degree: int, tile_size: int) -> None:
    options = RenderOptions(composite=CompositeOptions(tile_size=tile_size, background=(0.2, 0.5, 0.9)))
    g = GaussiansWorld(**make_scene(40, degree, seed=degree))
    ours, ref = native.render(g, make_camera(), options), render_reference(g, make_camera(), options)
    assert ours.meta["backend"] == "native" and ours.colors.shape == (29, 37, 3)
    assert ref.alphas.max() > 0.5
    torch.testing.assert_close(ours.colors, ref.colors, rtol=1e-9, atol=1e-9)
    torch.testing.assert_close(ours.alphas, ref.alphas, rtol=1e-9, atol=1e-9)
    torch.testing.assert_close(ours.depth, ref.depth, rtol=1e-7, atol=1e-7)


@pytest.mark.parametrize(
    ("degree", "seed", "opacity_lo", "alpha_max"),
    [(0, 3, 0.05, 0.99), (1, 4, 0.05, 0.99), (3, 5, 0.9, 0.999)],
)
def test_gradients_match_the_pytorch_rasterizer_in_float64(
    degree: int, seed: int, opacity_lo: float, alpha_max: float
) -> None:
    """Gradients of every world parameter (through means2d, conics, opacities, colours, depths)."""
    params = {
        k: v.requires_grad_(True) for k, v in make_scene(25, degree, seed=seed, opacity_lo=opacity_lo).items()
    }
    options = RenderOptions(composite=CompositeOptions(alpha_max=alpha_max, background=(0.3, 0.1, 0.7)))
    cam = make_camera(23, 19)
    weights = torch.rand(19, 23, 5, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    grads = []
    for render in (native.render, torch_rasterizer.render, render_reference):
        out = render(GaussiansWorld(**params), cam, options)
        grads.append(torch.autograd.grad((_outputs(out) * weights).sum(), list(params.values())))
    for name, ours, theirs, ref in zip(PARAMS, *grads, strict=True):
        assert ref.abs().max() > 0, name
        torch.testing.assert_close(ours, theirs, rtol=1e-9, atol=1e-11, msg=lambda m, n=name: f"{n}: {m}")
        torch.testing.assert_close(ours, ref, rtol=1e-7, atol=1e-8, msg=lambda m, n=name: f"{n}: {m}")


def test_screen_space_gradients_match_the_pytorch_rasterizer() -> None:
    """The kernel's direct inputs: means2d (densification reads its .grad), conics, opacities, features."""
    scene = make_scene(60, 1, seed=21, opacity_lo=0.3)
    outs = []
    for render in (native.render, torch_rasterizer.render):
        params = {k: v.clone().requires_grad_(True) for k, v in scene.items()}
        out = render(GaussiansWorld(**params), make_camera(40, 32))
        conics = out.meta["conics"]
        conics.retain_grad()
        (_outputs(out) * torch.linspace(0.1, 1.0, 5, dtype=torch.float64)).sum().backward()
        outs.append((out.meta["means2d"].grad, conics.grad, params["opacities"].grad, params["sh"].grad))
    for ours, theirs in zip(*outs, strict=True):
        assert theirs.abs().max() > 0
        torch.testing.assert_close(ours, theirs, rtol=1e-9, atol=1e-11)


def test_kernel_passes_gradcheck(native_module: ModuleType) -> None:
    """Tiny case, straight on the kernel: means2d, conics, opacities and features in float64."""
    gen = torch.Generator().manual_seed(4)
    n = 6
    means2d = (torch.rand(n, 2, generator=gen, dtype=torch.float64) * 4 + 4).requires_grad_(True)
    conics = torch.stack([torch.full((n,), 0.3), torch.full((n,), 0.05), torch.full((n,), 0.4)], -1)
    conics = (conics.double() + torch.rand(n, 3, generator=gen, dtype=torch.float64) * 0.05).requires_grad_(
        True
    )
    opac = (torch.rand(n, generator=gen, dtype=torch.float64) * 0.3 + 0.6).requires_grad_(True)
    feat = torch.rand(n, 4, generator=gen, dtype=torch.float64).requires_grad_(True)
    depths = torch.rand(n, generator=gen, dtype=torch.float64) + 1
    radii = torch.full((n, 2), 6, dtype=torch.int32)
    comp = CompositeOptions(tile_size=4, transmittance_min=0.05)  # a floor some pixels reach

    def f(m, c, o, x):
        image, alphas = native.composite(m, c, o, x, depths, radii, 12, 10, comp)
        return image, alphas

    assert float(f(means2d, conics, opac, feat)[1].detach().max()) > 0.9
    assert torch.autograd.gradcheck(f, (means2d, conics, opac, feat), eps=1e-6, atol=1e-6)


def test_no_gaussian_on_screen_renders_the_background() -> None:
    params = make_scene(5, 0, seed=1)
    params["means"][:3, 2] = -5.0  # behind the camera
    params["means"][3:, 0] = 40.0  # far to the side
    params = {k: v.requires_grad_(True) for k, v in params.items()}
    options = RenderOptions(composite=CompositeOptions(background=(0.1, 0.2, 0.3)))
    out = native.render(GaussiansWorld(**params), make_camera(), options)
    bg = torch.tensor([0.1, 0.2, 0.3], dtype=torch.float64)
    torch.testing.assert_close(out.colors, bg.expand(29, 37, 3))
    assert float(out.alphas.detach().abs().max()) == 0.0 and (out.meta["radii"] == 0).all()
    out.colors.sum().backward()
    assert all(float(p.grad.abs().max()) == 0.0 for p in params.values())


def test_gaussians_off_tile_edges_and_partial_tiles_match() -> None:
    """Splats straddling tile borders and the image edge; the image is not a multiple of the tile."""
    params = make_scene(30, 1, seed=13, spread=0.9)
    options = RenderOptions(composite=CompositeOptions(tile_size=16))
    g = GaussiansWorld(**params)
    cam = make_camera(45, 27)
    ours, theirs = native.render(g, cam, options), torch_rasterizer.render(g, cam, options)
    visible = (ours.meta["radii"] > 0).all(-1)
    m = ours.meta["means2d"][visible]
    assert ((m[:, 0] < 0) | (m[:, 0] > 45) | (m[:, 1] < 0) | (m[:, 1] > 27)).any()  # some centres off screen
    torch.testing.assert_close(_outputs(ours), _outputs(theirs), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("alpha_max", [0.99, 0.999])
def test_alpha_saturation_and_early_termination_match_the_reference(alpha_max: float) -> None:
    params = make_scene(60, 0, seed=11, opacity_lo=0.97, spread=0.05)
    params["scales"] = params["scales"] * 3
    params["opacities"] = params["opacities"].clamp(max=1.0)
    options = RenderOptions(composite=CompositeOptions(alpha_max=alpha_max, background=(1.0, 1.0, 1.0)))
    g = GaussiansWorld(**params)
    ours, ref = native.render(g, make_camera(), options), render_reference(g, make_camera(), options)
    assert (ref.alphas > 0.999).sum() > 20 and float(ref.alphas.max()) < 1 - 5e-5
    torch.testing.assert_close(ours.colors, ref.colors, rtol=1e-9, atol=1e-9)
    torch.testing.assert_close(ours.alphas, ref.alphas, rtol=1e-9, atol=1e-9)


def test_float32_matches_the_pytorch_rasterizer() -> None:
    params = {k: v.float() for k, v in make_scene(400, 2, seed=9, spread=0.5, opacity_lo=0.3).items()}
    cam = make_camera(64, 48, dtype=torch.float32)
    outs = []
    for render in (native.render, torch_rasterizer.render):
        p = {k: v.clone().requires_grad_(True) for k, v in params.items()}
        out = render(GaussiansWorld(**p), cam)
        (_outputs(out) * torch.linspace(0.2, 1.0, 5)).sum().backward()
        outs.append((out, p))
    (a, pa), (b, pb) = outs
    torch.testing.assert_close(_outputs(a), _outputs(b), atol=2e-4, rtol=1e-4)
    for name in PARAMS:
        scale = float(pb[name].grad.abs().max())
        torch.testing.assert_close(pa[name].grad, pb[name].grad, atol=2e-3 * scale, rtol=1e-3, msg=name)


def test_auto_selects_it_on_the_cpu() -> None:
    sel = select_renderer("auto", "cpu")
    assert sel.renderer.name == "native" and sel.renderer.render is native.render
    assert "fused C++" in sel.reason and str(native.status().module.__file__) in sel.reason
    assert select_renderer("native", "cpu").renderer.name == "native"


def test_without_a_build_the_selection_falls_back_and_says_why(tmp_path: Path) -> None:
    """A fresh process whose loader points at an empty build directory."""
    code = (
        "from core.gaussians.render.select import select_renderer\n"
        "from core.jobs.errors import BadInput\n"
        "s = select_renderer('auto', 'cpu')\n"
        "print('NAME', s.renderer.name)\n"
        "print('REASON', s.reason)\n"
        "try:\n    select_renderer('native', 'cpu')\nexcept BadInput as e:\n    print('REFUSED', e)\n"
        "from studio.doctor import _check_cpu_rasterizer\n"
        "c = _check_cpu_rasterizer()\n"
        "print('DOCTOR', c.ok, c.detail)\n"
    )
    env = {**os.environ, "DHSTUDIO_NATIVE_DIR": str(tmp_path / "empty"), "PYTHONPATH": str(REPO_ROOT)}
    proc = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    lines = dict(line.split(" ", 1) for line in proc.stdout.splitlines())
    assert lines["NAME"] == "torch"
    assert "falling back to the PyTorch rasterizer" in lines["REASON"] and "not built" in lines["REASON"]
    assert str(tmp_path / "empty") in lines["REASON"] and "build_native" in lines["REASON"]
    assert "renderer 'native' is not usable" in lines["REFUSED"] and "build_native" in lines["REFUSED"]
    assert lines["DOCTOR"].startswith("False PyTorch fallback: ") and "not built" in lines["DOCTOR"]


def test_a_broken_module_file_falls_back_with_the_load_error(tmp_path: Path) -> None:

    code = (
        "from core.gaussians.render import native_build\n"
        "from pathlib import Path\n"
        "from core.native_cache import build_dir\n"
        "d = Path(build_dir()); d.mkdir(parents=True)\n"
        "(d / (native_build.module_name() + '.so')).write_bytes(b'not an ELF file')\n"
        "from core.gaussians.render.select import select_renderer\n"
        "s = select_renderer('auto', 'cpu')\n"
        "print(s.renderer.name, '|', s.reason)\n"
    )
    env = {**os.environ, native_cache.ENV_DIR: str(tmp_path / "broken"), "PYTHONPATH": str(REPO_ROOT)}
    proc = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    name, reason = proc.stdout.strip().split(" | ")
    assert name == "torch" and "failed to load" in reason


def test_a_few_gaussian_training_steps_run_with_it(tmp_path: Path) -> None:
    from core.gaussians.train.config import GaussianConfig
    from core.gaussians.train.trainer import GaussianTrainJob
    from core.jobs.collector import CollectingRunner
    from core.jobs.events import Metric
    from core.train.run_folder import RunFolder
    from core.train.spec import TrainRequest
    from tests.core.gaussians.train.conftest import make_avatar_data

    data = make_avatar_data(n_frames=6, res=32)
    cfg = GaussianConfig.model_validate(
        {
            "data": {"resolution": 32},
            "densify": {"start": 0.0, "stop": 1.0, "every": 4, "grad_threshold": 1e-6, "max_gaussians": 150},
            "train": {
                "steps": 12,
                "sh_degree": 0,
                "renderer": "auto",
                "log_every": 1,
                "checkpoint_every": 1000,
            },
        }
    )
    run = RunFolder(tmp_path / "run")
    run.create("gaussian", cfg.model_dump(mode="json"))
    req = TrainRequest(clips=(tmp_path,), run=run, device="cpu")
    runner = CollectingRunner()
    result = runner.run(GaussianTrainJob(cfg, req, data_loader=lambda clip, c: data, evaluate=False))
    assert result.ok, result.error
    assert run.read_status().get("renderer") == "native"
    losses = [e.value for e in runner.of_type(Metric) if e.name == "train/photometric"]
    assert len(losses) == 12 and all(torch.isfinite(torch.tensor(losses)))
    assert sum(losses[-3:]) < sum(losses[:3])


def test_the_build_command_reuses_an_existing_build(native_module: ModuleType) -> None:
    """The install-time command is idempotent: with the module built it loads it and exits 0."""
    proc = subprocess.run(
        [sys.executable, "-m", "core.gaussians.render.build_native"],
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "fused CPU rasterizer ready" in proc.stdout and str(native_module.__file__) in proc.stdout


@pytest.mark.parametrize(("n_features", "tile_size"), [(1, 8), (3, 16), (5, 8), (4, 5)])
def test_any_feature_count_and_tile_size_composites_like_the_pytorch_rasterizer(
    n_features: int, tile_size: int
) -> None:
    """The kernel has fixed-size paths for 3 and 4 features and tiles of 8 and 16, a generic one otherwise."""
    gen = torch.Generator().manual_seed(n_features)
    n = 80
    means2d = torch.rand(n, 2, generator=gen, dtype=torch.float64) * torch.tensor([40.0, 30.0])
    conics = torch.stack([torch.full((n,), 0.2), torch.full((n,), 0.03), torch.full((n,), 0.3)], -1).double()
    conics = (conics + torch.rand(n, 3, generator=gen, dtype=torch.float64) * 0.1).requires_grad_(True)
    means2d.requires_grad_(True)
    opac = (torch.rand(n, generator=gen, dtype=torch.float64) * 0.5 + 0.5).requires_grad_(True)
    feat = torch.rand(n, n_features, generator=gen, dtype=torch.float64).requires_grad_(True)
    depths = torch.rand(n, generator=gen, dtype=torch.float64) + 1
    radii = torch.full((n, 2), 9, dtype=torch.int32)
    comp = CompositeOptions(tile_size=tile_size)
    outs = []
    for fn in (native.composite, torch_rasterizer.composite):
        image, alphas = fn(means2d, conics, opac, feat, depths, radii, 41, 29, comp)
        grads = torch.autograd.grad((image * 0.7).sum() + alphas.sum(), [means2d, conics, opac, feat])
        outs.append((image, alphas, *grads))
    assert float(outs[1][1].detach().max()) > 0.9
    for ours, theirs in zip(*outs, strict=True):
        torch.testing.assert_close(ours, theirs, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("depth_shift", [1.0, -0.5])
def test_float32_depth_order_with_ties_matches_the_pytorch_rasterizer(depth_shift: float) -> None:
    """float32 depths are radix-sorted when all are >= 0 (else a comparison sort): ties go by index."""
    gen = torch.Generator().manual_seed(3)
    n = 120
    means2d = torch.rand(n, 2, generator=gen) * torch.tensor([30.0, 20.0])
    conics = torch.tensor([0.15, 0.02, 0.2]).expand(n, 3).contiguous()
    opac = torch.rand(n, generator=gen) * 0.3 + 0.6
    feat = torch.rand(n, 4, generator=gen)
    depths = torch.randint(0, 6, (n,), generator=gen).float() * 0.5 + depth_shift  # many equal depths
    radii = torch.full((n, 2), 12, dtype=torch.int32)
    comp = CompositeOptions()
    with torch.no_grad():
        ours = native.composite(means2d, conics, opac, feat, depths, radii, 31, 23, comp)
        theirs = torch_rasterizer.composite(means2d, conics, opac, feat, depths, radii, 31, 23, comp)
    for a, b in zip(ours, theirs, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("tile_size", [8, 16, 6])
def test_row_skipping_composites_and_differentiates_like_the_pytorch_rasterizer(tile_size: int) -> None:
    """The kernels skip a tile's rows a Gaussian cannot reach (alpha < alpha_min there) and, in the
    backward, rows whose pixels all ended before it. Small and thin splats reach only a few rows of a
    tile, one is too faint to composite anywhere, and a high transmittance floor ends pixels early,
    row by row; more Gaussians per tile than a forward chunk holds, some tiles end mid-chunk."""
    gen = torch.Generator().manual_seed(tile_size)
    n = 90
    means2d = torch.rand(n, 2, generator=gen, dtype=torch.float64) * torch.tensor([37.0, 29.0])
    inv_var = torch.rand(n, 2, generator=gen, dtype=torch.float64) * torch.tensor([2.0, 3.0]) + 0.05
    inv_var[::3, 1] = 4.0  # a row or two high
    b = (torch.rand(n, generator=gen, dtype=torch.float64) - 0.5) * (inv_var[:, 0] * inv_var[:, 1]).sqrt()
    conics = torch.stack([inv_var[:, 0], b, inv_var[:, 1]], -1)
    opac = torch.rand(n, generator=gen, dtype=torch.float64) * 0.5 + 0.5
    opac[7] = 0.002  # below alpha_min: reaches no pixel
    feat = torch.rand(n, 4, generator=gen, dtype=torch.float64)
    depths = torch.rand(n, generator=gen, dtype=torch.float64) + 1
    radii = torch.full((n, 2), 14, dtype=torch.int32)
    budget = torch.log(opac * 255.0).clamp(min=0)
    half_height = (2 * budget * conics[:, 0] / (conics[:, 0] * conics[:, 2] - conics[:, 1] ** 2)).sqrt()
    assert int((half_height < tile_size / 2 - 1).sum()) > 10  # some reach only part of a tile's rows
    comp = CompositeOptions(tile_size=tile_size, transmittance_min=0.3)
    leaves = [t.clone().requires_grad_(True) for t in (means2d, conics, opac, feat)]
    outs = []
    for fn in (native.composite, torch_rasterizer.composite):
        image, alphas = fn(*leaves, depths, radii, 37, 29, comp)
        weights = torch.linspace(0.3, 1.0, 4, dtype=torch.float64)
        grads = torch.autograd.grad((image * weights).sum() + (alphas**2).sum(), leaves)
        outs.append((image, alphas, *grads))
    assert float(outs[1][1].detach().max()) > 0.69  # the floor ends pixels (T <= 0.3)
    for ours, theirs in zip(*outs, strict=True):
        torch.testing.assert_close(ours, theirs, rtol=1e-9, atol=1e-10)
