"""Send a training metric both to the job's listeners (console, GUI) and to the run folder's files."""

from __future__ import annotations

from core.jobs.context import JobContext
from core.train.run_folder import RunFolder

# Metric names that score held-out data (not trained on): the GUI plots them apart from the losses and
# the runs table reads its figures from them. Trainers name their held-out metrics with one of these.
HELD_OUT_PREFIXES = ("eval/", "held_out/", "heldout/", "audio2mouth/heldout")


def report_metric(ctx: JobContext, run: RunFolder, name: str, step: int, value: float) -> None:
    """One call, two sinks: `ctx.metric` (live) and `run.log_metric` (metrics.jsonl + TensorBoard)."""
    ctx.metric(name, step, float(value))
    run.log_metric(name, step, float(value))
