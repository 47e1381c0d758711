"""A bundle's portable build of the fused rasterizer (slow: one compile takes over a minute):
built for this architecture's floor level with the build command, loaded from a "bundled" folder
by a process whose build directory is empty, and rendering as the PyTorch rasterizer does."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from core import native_cache
from tests.conftest import REPO_ROOT

RUNS_HERE = [lv for lv in native_cache.levels() if not lv.missing(native_cache.cpu_features())]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("c++") is None and shutil.which("g++") is None, reason="no C++ compiler")
@pytest.mark.skipif(not RUNS_HERE, reason="no portable level this CPU runs")
def test_a_bundled_floor_level_build_loads_and_renders_like_the_pytorch_rasterizer(tmp_path):
    level = RUNS_HERE[-1]
    bundle = tmp_path / "native"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    cmd = [
        sys.executable,
        "-m",
        "core.gaussians.render.build_native",
        "--level",
        level.name,
        "--out",
        str(bundle),
    ]
    proc = subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    built = [p.name for p in bundle.iterdir()]
    assert len(built) == 1 and built[0].startswith(f"dhs_rasterize_{level.tag}_")  # the module only
    code = (
        "import torch\n"
        "from core.gaussians.render import native, torch_rasterizer\n"
        "from core.gaussians.render.base import GaussiansWorld, RenderOptions\n"
        "from studio.doctor import _check_cpu_rasterizer\n"
        "from tests.core.gaussians.render.test_torch_rasterizer import make_camera, make_scene\n"
        "print('STATUS', native.status().detail)\n"
        "print('DOCTOR', _check_cpu_rasterizer().ok, _check_cpu_rasterizer().detail)\n"
        "g, cam = GaussiansWorld(**make_scene(60, 3, seed=7)), make_camera()\n"
        "opts = RenderOptions()\n"
        "ours, ref = native.render(g, cam, opts), torch_rasterizer.render(g, cam, opts)\n"
        "assert ref.alphas.max() > 0.5\n"
        "torch.testing.assert_close(ours.colors, ref.colors, rtol=1e-9, atol=1e-9)\n"
        "torch.testing.assert_close(ours.alphas, ref.alphas, rtol=1e-9, atol=1e-9)\n"
        "print('RENDER ok')\n"
    )
    env.update({native_cache.ENV_DIR: str(tmp_path / "empty"), native_cache.BUNDLED_ENV: str(bundle)})
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stdout + run.stderr
    lines = dict(line.split(" ", 1) for line in run.stdout.splitlines())
    assert lines["STATUS"].startswith(f"bundled {level.name} build (loaded from {bundle}")
    assert lines["DOCTOR"].startswith(f"True fused C++ rasterizer, bundled {level.name} build")
    assert lines["RENDER"] == "ok"
