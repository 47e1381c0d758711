"""`dhstudio train training_jobs/audio2mouth.toml --project DIR`: the command-line path end to end."""

from __future__ import annotations

import json

from core.train.checkpoint import load_checkpoint
from studio.cli.main import main
from tests.core.mouth.conftest import demo_clip, demo_project  # noqa: F401  (session fixtures)

JOB = "training_jobs/audio2mouth.toml"
SMALL = [
    "--set",
    "model.input_hidden=32",
    "--set",
    "model.lstm_hidden=32",
    "--set",
    "model.mlp_hidden=16",
    "--set",
    "train.epoch_steps=5",
    "--set",
    "train.batch=4",
    "--device",
    "cpu",
    "--quiet",
]


def _train(project, repo_root, *args: str) -> int:
    """`dhstudio train JOB --project PROJECT ARGS...`, its exit code."""
    return main(["train", str(repo_root / JOB), "--project", str(project), *args])


def test_cli_trains_writes_the_run_folder_and_resumes(demo_project, repo_root, capsys):  # noqa: F811
    code = _train(demo_project, repo_root, "--max-steps", "10", "--run-name", "cli-a2m", *SMALL)
    assert code == 0
    run = demo_project / "runs" / "cli-a2m"
    assert capsys.readouterr().out.strip().splitlines()[-1] == str(run)
    for name in (
        "config.toml",
        "checkpoints/last.pt",
        "mouth_space.npz",
        "norm_stats.npz",
        "metrics.jsonl",
        "summary.json",
    ):
        assert (run / name).is_file(), name
    assert json.loads((run / "status.json").read_text())["state"] == "finished"
    assert 'kind = "audio2mouth"' in (run / "config.toml").read_text()
    assert load_checkpoint(run / "checkpoints" / "last.pt")["step"] == 10

    code = _train(demo_project, repo_root, "--max-steps", "15", "--run-name", "cli-a2m", "--resume", *SMALL)
    assert code == 0
    assert load_checkpoint(run / "checkpoints" / "last.pt")["step"] == 15
    steps = [
        r["step"]
        for r in map(json.loads, (run / "metrics.jsonl").read_text().splitlines())
        if r["name"] == "audio2mouth/heldout_mouth_r"
    ]
    assert steps == [5, 10, 15]


def test_cli_refuses_a_lookahead_out_of_range(demo_project, repo_root, capsys):  # noqa: F811
    code = _train(
        demo_project, repo_root, "--set", "model.lookahead=9", "--run-name", "bad-lookahead", "--quiet"
    )
    assert code == 2
    assert "lookahead" in capsys.readouterr().err
    assert not (demo_project / "runs" / "bad-lookahead").exists()
