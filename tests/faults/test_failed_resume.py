"""Issue 13 item 6: a `train --resume` that fails before new weights leaves a finished run as it was."""

from __future__ import annotations

import pickle

import pytest

from core.train.run_folder import RunFolder, RunState
from studio.cli.main import main
from tests.faults.kinds_fixture import tiny_project

TINY = [
    "--set", "model.input_hidden=16", "--set", "model.lstm_hidden=16", "--set", "model.mlp_hidden=8",
    "--set", "train.epoch_steps=2", "--set", "train.batch=2", "--set", "train.window=8",
]  # fmt: skip


@pytest.fixture
def trained(tmp_path_factory, tmp_path, repo_root):
    proj = tiny_project(tmp_path_factory, tmp_path / "copy")
    job = repo_root / "training_jobs" / "audio2mouth.toml"
    args = ["train", str(job), "--project", str(proj.root), "--run-name", "mine", "--max-steps", "2"]
    assert main([*args, *TINY, "--device", "cpu", "--quiet"]) == 0
    run = RunFolder(proj.runs / "mine")
    assert run.state is RunState.FINISHED
    return proj, job, run


def _resume(proj, job, overrides=TINY) -> int:
    return main(["train", str(job), "--project", str(proj.root), "--run-name", "mine", "--resume",
                 "--max-steps", "4", *overrides, "--device", "cpu", "--quiet"])  # fmt: skip


def test_wrong_job_file_leaves_the_run_as_it_was(trained, repo_root, capsys):
    proj, _job, run = trained
    before = run.status_path.read_bytes()
    code = _resume(proj, repo_root / "training_jobs" / "dinet_mini.toml", overrides=[])
    err = capsys.readouterr().err
    assert code == 2 and "is a 'audio2mouth' run but the job file trains 'dinet'" in err
    assert run.status_path.read_bytes() == before


@pytest.mark.parametrize("damage", ["truncated", "refused"])
def test_bad_checkpoint_leaves_the_run_as_it_was(trained, capsys, damage):
    proj, job, run = trained
    ckpt = run.checkpoints / "last.pt"
    if damage == "truncated":
        ckpt.write_bytes(ckpt.read_bytes()[:1000])
    else:  # a pickle that would run code: weights_only refuses it
        ckpt.write_bytes(pickle.dumps(print, protocol=2))
    before, weights = run.status_path.read_bytes(), ckpt.read_bytes()
    code = _resume(proj, job)
    err = capsys.readouterr().err
    assert code == 2 and str(ckpt) in err
    assert run.status_path.read_bytes() == before and run.state is RunState.FINISHED
    assert ckpt.read_bytes() == weights
    assert "left as it was (finished)" in err


def test_a_resume_that_trains_is_recorded(trained, capsys):
    proj, job, run = trained
    assert _resume(proj, job) == 0
    assert run.state is RunState.FINISHED and run.read_status()["error"] == ""


def test_resume_finds_its_run_among_strays_and_damaged_runs(trained, caplog):
    proj, job, run = trained
    (proj.runs / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    broken = proj.runs / "broken"
    broken.mkdir()
    (broken / "status.json").write_text('{"kind": "audio2mouth", "job": "audio2mouth", "sta')
    code = main(["train", str(job), "--project", str(proj.root), "--resume", "--max-steps", "4", *TINY,
                 "--device", "cpu", "--quiet"])  # fmt: skip
    assert code == 0 and run.state is RunState.FINISHED
    assert "skipping run broken" in caplog.text


@pytest.mark.parametrize("steps", [1, 2])
def test_resume_with_a_step_cap_not_above_the_trained_step_is_refused(trained, capsys, steps):
    """`train --resume --max-steps N` with N <= the checkpoint's step marked the run finished at once
    (status `total` below `step`) and said nothing; it is refused, the run left as it was."""
    proj, job, run = trained
    ckpt = run.checkpoints / "last.pt"
    before, weights = run.status_path.read_bytes(), ckpt.read_bytes()
    code = main(["train", str(job), "--project", str(proj.root), "--run-name", "mine", "--resume",
                 "--max-steps", str(steps), *TINY, "--device", "cpu", "--quiet"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2
    assert "at step 2" in err and "step cap above 2 (--max-steps" in err
    assert run.status_path.read_bytes() == before and ckpt.read_bytes() == weights
