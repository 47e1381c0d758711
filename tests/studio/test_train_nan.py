"""`dhstudio train` with a diverging setting: the run stops with a clear message, fails, exits 1.

Issue 13.2: these runs used to exit 0, marked finished with NaN weights.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch

from core.train.checkpoint import load_checkpoint
from studio.cli.main import main
from tests.core.mouth.conftest import demo_clip, demo_project  # noqa: F401  (session fixtures)
from tests.studio.train_argv import train_argv


def _failed_run(project, repo_root, job: str, run_name: str, max_steps: int, *settings: str) -> Path:
    """Train JOB with `settings`: it must exit 1 and leave the run marked failed."""
    assert main(train_argv(repo_root / "training_jobs" / job, project, run_name, max_steps, *settings)) == 1
    run = project / "runs" / run_name
    assert json.loads((run / "status.json").read_text())["state"] == "failed"
    return run


def test_audio2mouth_with_a_diverging_optimizer_fails(demo_project, repo_root, capsys):  # noqa: F811
    settings = (
        "train.lr=1.0",
        "train.weight_decay=1e30",
        "train.epoch_steps=1",
        "model.input_hidden=32",
        "model.lstm_hidden=32",
        "model.mlp_hidden=16",
        "train.batch=4",
    )
    run = _failed_run(demo_project, repo_root, "audio2mouth.toml", "a2m-nan", 20, *settings)
    err = capsys.readouterr().err
    assert "NaN/inf" in err and "train.lr" in err
    ckpt = run / "checkpoints" / "last.pt"
    if ckpt.is_file():  # what was saved before the failure is finite
        assert all(torch.isfinite(v).all() for v in load_checkpoint(ckpt)["model"].values())


def test_gaussian_with_a_huge_loss_weight_fails(demo_project, repo_root, capsys):  # noqa: F811
    settings = ("loss.l1=1e39", "data.resolution=32", "data.max_frames=10", "train.sh_degree=0")
    run = _failed_run(demo_project, repo_root, "gaussian_baseline.toml", "gs-nan", 3, *settings)
    err = capsys.readouterr().err
    assert "Training stopped at step 0: loss 'total' became NaN/inf" in err and "loss weights" in err
    assert not (run / "avatar.pt").exists() and not (run / "checkpoints" / "last.pt").exists()
