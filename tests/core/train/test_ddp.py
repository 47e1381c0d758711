"""DDP under torchrun with 2 CPU processes (gloo): both ranks end with the same parameters."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from tests.conftest import REPO_ROOT
from tests.core.lipsync.prepared_fixture import build_prepared_clip, tiny_project_root


@pytest.fixture(scope="module")
def clip_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_prepared_clip(tiny_project_root(tmp_path_factory))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_cpu_ranks_train_identical_parameters(clip_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "OMP_NUM_THREADS": "1"}
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nproc_per_node",
        "2",
        "--master_addr",
        "127.0.0.1",
        "--master_port",
        str(_free_port()),
        str(REPO_ROOT / "tests/core/train/ddp_worker.py"),
        str(clip_dir),
        str(tmp_path / "run"),
        str(out),
    ]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600, cwd=REPO_ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    a = torch.load(out / "rank0.pt", weights_only=True)
    b = torch.load(out / "rank1.pt", weights_only=True)
    assert a.keys() == b.keys()
    init = torch.manual_seed(0)  # noqa: F841 - parameters must also have moved from their start
    moved = 0
    for k in a:
        torch.testing.assert_close(a[k], b[k], rtol=0, atol=1e-6, msg=lambda m, k=k: f"{k}: {m}")
    from core.lipsync.train_state import build_generator
    from tests.core.train.ddp_worker import DinetTrainConfig

    fresh = build_generator(
        DinetTrainConfig.model_validate(
            {"model": {"variant": "mini", "mouth_size": 64, "res_blocks": 1}, "train": {"steps": 1}}
        ),
        64,
        "cpu",
    )
    for k, v in fresh.state_dict().items():
        if v.is_floating_point() and not torch.equal(v, a[f"g.{k}"]):
            moved += 1
    assert moved > 10
    # only rank 0 wrote the run folder
    assert (tmp_path / "run" / "checkpoints" / "last.pt").is_file()
    names = {
        line.split('"name": "')[1].split('"')[0]
        for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()
    }
    assert "loss/total" in names
