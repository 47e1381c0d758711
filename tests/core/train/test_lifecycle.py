"""The one run lifecycle: typed states, never left `running`, failed resumes leave the run as it was."""

from __future__ import annotations

import contextlib
import json

import pytest

from core.jobs.errors import BadInput, JobCancelled
from core.jobs.job import JobResult, Status
from core.train.lifecycle import run_lifecycle
from core.train.run_folder import RunFolder, RunState


def _run(tmp_path, name="r") -> RunFolder:
    return RunFolder(tmp_path / name).create("audio2mouth", {"a": 1}, job="audio2mouth")


def test_states_are_an_enum_stored_as_strings(tmp_path):
    run = _run(tmp_path)
    assert run.state is RunState.CREATED
    run.set_status(RunState.FINISHED)
    assert json.loads(run.status_path.read_text())["state"] == "finished"
    with pytest.raises(ValueError):
        run.set_status("finshed")  # a typo is not a state


@pytest.mark.parametrize(
    ("exc", "state"),
    [(None, RunState.FINISHED), (RuntimeError("boom"), RunState.FAILED), (JobCancelled(), RunState.CANCELLED),
     (KeyboardInterrupt(), RunState.CANCELLED)],
)  # fmt: skip
def test_context_manager_ends_in_a_settled_state(tmp_path, exc, state):
    run = _run(tmp_path)
    seen = []
    with pytest.raises(type(exc)) if exc else contextlib.nullcontext(), run_lifecycle(run):
        seen.append(run.state)
        (run.checkpoints / "last.pt").write_bytes(b"w")
        if exc:
            raise exc
    assert seen == [RunState.RUNNING] and run.state is state


def test_settle_maps_job_results(tmp_path):
    run = _run(tmp_path)
    with run_lifecycle(run) as life:
        (run.checkpoints / "last.pt").write_bytes(b"w")
        assert life.settle(JobResult(Status.FAILED, error="RuntimeError: x")) is RunState.FAILED
    assert run.state is RunState.FAILED and run.read_status()["error"] == "RuntimeError: x"


def test_failed_resume_before_new_weights_leaves_the_status_as_it_was(tmp_path):
    run = _run(tmp_path)
    (run.checkpoints / "last.pt").write_bytes(b"weights")
    run.set_status(RunState.FINISHED, step=10)
    before = run.status_path.read_bytes()
    with pytest.raises(BadInput), run_lifecycle(run, resume=True):
        raise BadInput("refused checkpoint")
    assert run.status_path.read_bytes() == before
    # ...but one that wrote new weights records its failure
    with pytest.raises(RuntimeError), run_lifecycle(run, resume=True):
        (run.checkpoints / "last.pt").write_bytes(b"new weights")
        raise RuntimeError("later")
    assert run.state is RunState.FAILED


def test_a_stale_running_run_is_not_restored_to_running(tmp_path):
    run = _run(tmp_path)
    (run.checkpoints / "last.pt").write_bytes(b"weights")
    run.set_status(RunState.RUNNING)  # a crashed process left it so
    with pytest.raises(BadInput), run_lifecycle(run, resume=True):
        raise BadInput("x")
    assert run.state is RunState.FAILED


def test_new_run_failing_on_bad_input_before_training_is_removed(tmp_path):
    run = _run(tmp_path)
    with run_lifecycle(run, created=True) as life:
        assert life.settle(JobResult(Status.FAILED, error="bad clip", bad_input=True)) is None
    assert not run.path.exists()
    run = _run(tmp_path, "trained")  # once steps ran (metrics written) the run is kept as evidence
    with pytest.raises(BadInput), run_lifecycle(run, created=True):
        run.log_metric("train/loss", 1, float("nan"))
        raise BadInput("diverged")
    assert run.state is RunState.FAILED
