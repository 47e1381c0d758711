"""Send a training metric both to the job's listeners (console, GUI) and to the run folder's files."""

from __future__ import annotations

from core.jobs.context import JobContext
from core.train.run_folder import RunFolder


def report_metric(ctx: JobContext, run: RunFolder, name: str, step: int, value: float) -> None:
    """One call, two sinks: `ctx.metric` (live) and `run.log_metric` (metrics.jsonl + TensorBoard)."""
    ctx.metric(name, step, float(value))
    run.log_metric(name, step, float(value))
