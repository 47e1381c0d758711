"""A cancel during an export, even in its last working step, stops it and leaves no folder.

Was: Ctrl-C while a bundle wrote its source-frame loop, or while a model export validated, printed
"Cancelling ..." and the export then finished and exited 0: nothing checked after those steps.
Each case cancels when the job announces step `at`, as the console runner's Ctrl-C does."""

from __future__ import annotations

import pytest

from core.jobs.control import JobControl
from core.jobs.events import Progress
from core.jobs.job import Status, execute
from core.kinds.registry import kind_of_run
from core.kinds.requests import ExportRequest

# (format, the step whose announcement the cancel answers): the last step before "done"
CASES = [("bundle", 3), ("bundle", 4), ("onnx", 3), ("torchscript", 3)]


@pytest.mark.parametrize(("fmt", "at"), CASES)
def test_a_cancel_at_a_late_step_leaves_no_export(export_runs, tmp_path, fmt, at):
    run = export_runs.runs["mini"]
    out = tmp_path / "out"
    control = JobControl()
    seen: list[int] = []

    def sink(event) -> None:
        if isinstance(event, Progress):
            seen.append(event.step)
            if event.step == at:
                control.cancel()

    job = kind_of_run(run).export_job(fmt, ExportRequest(run, out, options={"repeats": 2}))
    result = execute(job, sink, control)
    assert at in seen
    assert result.status is Status.CANCELLED, (result.status, result.error)
    assert not out.exists() and list(tmp_path.iterdir()) == []
