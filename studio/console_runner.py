"""Console runner: a progress bar with rate and ETA, metrics as postfix, Ctrl-C cancels cleanly."""

from __future__ import annotations

import sys
import threading
from typing import TextIO

from tqdm import tqdm

from core.jobs.control import JobControl
from core.jobs.events import Artifact, Event, JobFailed, LiveStatus, LogLine, Metric, Progress, RefineStep
from core.jobs.job import Job, JobResult, execute


class ConsoleRunner:
    """Runs the job on a worker thread so the main thread stays free for Ctrl-C."""

    def __init__(self, stream: TextIO | None = None, quiet: bool = False) -> None:
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.control = JobControl()
        self._bar: tqdm | None = None
        self._metrics: dict[str, float] = {}
        self._lock = threading.Lock()

    def run(self, job: Job) -> JobResult:
        result: list[JobResult] = []
        worker = threading.Thread(
            target=lambda: result.append(execute(job, self._on_event, self.control)),
            name=f"job-{job.name}",
            daemon=True,
        )
        worker.start()
        try:
            while worker.is_alive():
                worker.join(timeout=0.2)
        except KeyboardInterrupt:
            self._write("Cancelling... (the job stops at its next step)")
            self.control.cancel()
            worker.join()
        finally:
            if self._bar is not None:
                self._bar.close()
        return result[0]

    def _on_event(self, event: Event) -> None:
        with self._lock:
            match event:
                case Progress(step=step, total=total, message=message):
                    self._progress(step, total, message)
                case Metric(name=name, value=value):
                    self._metrics[name] = value
                    if self._bar is not None:
                        self._bar.set_postfix(
                            {k: f"{v:.4g}" for k, v in list(self._metrics.items())[-4:]}, refresh=False
                        )
                case LogLine(message=message, level=level):
                    if not self.quiet or level in ("warning", "error"):
                        self._write(message if level == "info" else f"{level}: {message}")
                case Artifact(path=path, kind=kind):
                    if not self.quiet:
                        self._write(f"wrote {kind + ' ' if kind else ''}{path}")
                case RefineStep() if not self.quiet:
                    self._write(event.describe())
                case LiveStatus() if self._bar is not None:
                    self._bar.set_description_str(event.describe(), refresh=False)
                case JobFailed(message=message):
                    self._write(f"error: {message}")

    def _progress(self, step: int, total: int | None, message: str) -> None:
        if self.quiet:
            return
        if self._bar is None or (total is not None and self._bar.total != total):
            if self._bar is not None:
                self._bar.close()
            self._bar = tqdm(
                total=total,
                file=self.stream,
                dynamic_ncols=True,
                leave=True,
                bar_format="{desc} {percentage:3.0f}%|{bar}| {n}/{total} "
                "[{elapsed}<{remaining}, {rate_fmt}{postfix}]"
                if total
                else None,
            )
        if message:
            self._bar.set_description_str(message, refresh=False)
        self._bar.update(step - self._bar.n)

    def _write(self, text: str) -> None:
        if self._bar is not None:
            self._bar.write(text, file=self.stream)
        else:
            print(text, file=self.stream, flush=True)
