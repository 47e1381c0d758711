"""Evaluation results in one shape: every kind's eval job returns a figures dict; this writes it.

The figures (held-out PSNR, SSIM, LPIPS, lip-sync scores...) go to one JSON file, written here
and nowhere else, so `dhstudio eval` and the GUI's evaluate action produce the same file.
Non-finite numbers (a metric that could not be computed) are written as null.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from core.io import atomic
from core.jobs.context import JobContext
from core.jobs.job import Job


def clean_figures(value: Any) -> Any:
    """NaN/inf -> None, recursively (JSON has no NaN)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: clean_figures(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_figures(v) for v in value]
    return value


class EvalFiguresJob(Job):
    """Runs a kind's evaluation job and writes its figures dict to `out` (atomically)."""

    def __init__(self, inner: Job, out: Path) -> None:
        self.inner, self.out = inner, Path(out)
        self.name = inner.name

    def run(self, ctx: JobContext) -> dict[str, Any]:
        figures = self.inner.run(ctx)
        if not isinstance(figures, dict):
            raise TypeError(
                f"{type(self.inner).__name__} returned {type(figures).__name__}, not a figures dict"
            )
        figures = clean_figures(figures)
        atomic.write_json(self.out, figures)
        ctx.artifact(self.out, "figures")
        return figures
