"""An installer bundle's portable builds of the DINet mini kernel (slow: each level compiles for a
minute or more): built for every level this CPU runs with the bundle command, loaded from a "bundled"
folder by a process whose own build directory is empty, and rendering as PyTorch does."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from core import native_cache
from tests.conftest import REPO_ROOT

RUNS_HERE = [lv for lv in native_cache.levels() if not lv.missing(native_cache.cpu_features())]

CHILD = """
import numpy as np, torch
from core.lipsync import native_mini
from core.lipsync.config import RendererConfig
from tests.core.lipsync.test_native_mini import _max_error, _net
st = native_mini.status()
print('STATUS', st.ok, st.detail)
net, ref = _net(RendererConfig(variant='mini', mouth_size=64))
print('ERROR', _max_error(st.module, net, ref, 2))
"""


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("c++") is None and shutil.which("g++") is None, reason="no C++ compiler")
@pytest.mark.skipif(not RUNS_HERE, reason="no portable level this CPU runs")
@pytest.mark.parametrize("level", RUNS_HERE, ids=[lv.name for lv in RUNS_HERE])
def test_a_bundled_level_loads_and_renders_like_pytorch(tmp_path, level):
    bundle = tmp_path / "native"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "core.lipsync.build_native", "--level", level.name, "--out", str(bundle)]
    proc = subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    built = [p.name for p in bundle.iterdir()]
    assert len(built) == 1 and built[0].startswith(f"dhs_dinet_mini_{level.tag}_"), built
    env.update({native_cache.ENV_DIR: str(tmp_path / "empty"), native_cache.BUNDLED_ENV: str(bundle)})
    run = subprocess.run(
        [sys.executable, "-c", CHILD], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stdout + run.stderr
    status = next(line for line in run.stdout.splitlines() if line.startswith("STATUS"))
    assert status.startswith("STATUS True") and str(bundle) in status, status
    error = float(next(line for line in run.stdout.splitlines() if line.startswith("ERROR")).split()[1])
    assert error < 1e-4, error
