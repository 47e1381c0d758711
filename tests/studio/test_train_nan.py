"""`dhstudio train` with a diverging setting: the run stops with a clear message, fails, exits 1.

Issue 13.2: these runs used to exit 0, marked finished with NaN weights.
"""

from __future__ import annotations

import json

import torch

from core.train.checkpoint import load_checkpoint
from studio.cli.main import main
from tests.core.mouth.conftest import demo_clip, demo_project  # noqa: F401  (session fixtures)


def _status(run) -> dict:
    return json.loads((run / "status.json").read_text())


def test_audio2mouth_with_a_diverging_optimizer_fails(demo_project, repo_root, capsys):  # noqa: F811
    args = [
        "train",
        str(repo_root / "training_jobs/audio2mouth.toml"),
        "--project",
        str(demo_project),
        "--set",
        "train.lr=1.0",
        "--set",
        "train.weight_decay=1e30",
        "--set",
        "train.epoch_steps=1",
        "--set",
        "model.input_hidden=32",
        "--set",
        "model.lstm_hidden=32",
        "--set",
        "model.mlp_hidden=16",
        "--set",
        "train.batch=4",
        "--max-steps",
        "20",
        "--device",
        "cpu",
        "--run-name",
        "a2m-nan",
        "--quiet",
    ]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "NaN/inf" in err and "train.lr" in err
    run = demo_project / "runs" / "a2m-nan"
    assert _status(run)["state"] == "failed"
    ckpt = run / "checkpoints" / "last.pt"
    if ckpt.is_file():  # what was saved before the failure is finite
        assert all(torch.isfinite(v).all() for v in load_checkpoint(ckpt)["model"].values())


def test_gaussian_with_a_huge_loss_weight_fails(demo_project, repo_root, capsys):  # noqa: F811
    args = [
        "train",
        str(repo_root / "training_jobs/gaussian_baseline.toml"),
        "--project",
        str(demo_project),
        "--set",
        "loss.l1=1e39",
        "--set",
        "data.resolution=32",
        "--set",
        "data.max_frames=10",
        "--set",
        "train.sh_degree=0",
        "--max-steps",
        "3",
        "--device",
        "cpu",
        "--run-name",
        "gs-nan",
        "--quiet",
    ]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "Training stopped at step 0: loss 'total' became NaN/inf" in err and "loss weights" in err
    run = demo_project / "runs" / "gs-nan"
    assert _status(run)["state"] == "failed"
    assert not (run / "avatar.pt").exists() and not (run / "checkpoints" / "last.pt").exists()
