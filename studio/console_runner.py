"""Console runner: a progress bar with rate and ETA, metrics as postfix, Ctrl-C cancels cleanly."""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from typing import TextIO

from tqdm import tqdm

from core.jobs.control import JobControl
from core.jobs.events import Artifact, Event, JobFailed, LiveStatus, LogLine, Metric, Progress, RefineStep
from core.jobs.job import Job, JobResult, Status, execute


class ConsoleRunner:
    """Runs the job on a worker thread so the main thread stays free for Ctrl-C.

    Ctrl-C asks the job to cancel, then the runner keeps waiting for the job's own end (a
    trainer saves its checkpoint, a writer removes its temporary, a recorder finalises its
    file); further Ctrl-Cs only say that it is still stopping. The wait is on an Event the
    worker sets when `execute` returns, never on `Thread.join`, whose interrupted lock can
    report a live thread as finished (and the process would then exit under the job).
    """

    POLL_S = 0.1

    def __init__(self, stream: TextIO | None = None, quiet: bool = False) -> None:
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.control = JobControl()
        self._bar: tqdm | None = None
        self._metrics: dict[str, float] = {}
        self._lock = threading.Lock()
        self._interrupts = 0  # Ctrl-Cs received; counted by the SIGINT handler

    def run(self, job: Job) -> JobResult:
        outcome: list[JobResult] = []
        done = threading.Event()

        def work() -> None:
            try:
                outcome.append(execute(job, self._on_event, self.control))
            except BaseException as exc:  # execute reports every job error; this is a runner bug
                outcome.append(JobResult(Status.FAILED, error=f"{type(exc).__name__}: {exc}"))
            finally:
                done.set()

        worker = threading.Thread(target=work, name=f"job-{job.name}", daemon=True)
        try:
            with _sigint_counted(self._count_interrupt):
                worker.start()
                self._wait(done)
        finally:
            if self._bar is not None:
                self._bar.close()
        return outcome[0]

    def _count_interrupt(self) -> None:
        self._interrupts += 1

    def _wait(self, done: threading.Event) -> None:
        """Wait for the job to end; every Ctrl-C meanwhile is counted, the first one cancels."""
        answered = 0
        while not done.is_set():
            try:
                done.wait(self.POLL_S)
            except KeyboardInterrupt:  # no handler of ours (not the main thread): same meaning
                self._interrupts += 1
            if self._interrupts > answered:
                first = answered == 0
                answered = self._interrupts
                if first:
                    self.control.cancel()
                with self._lock:  # the worker may be redrawing the bar
                    self._write(
                        "Cancelling: the job stops at its next step and keeps what it has made..."
                        if first
                        else "still stopping (saving and cleaning up); please wait"
                    )

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


@contextlib.contextmanager
def _sigint_counted(on_interrupt: Callable[[], None]) -> Iterator[None]:
    """While inside, SIGINT calls `on_interrupt` instead of raising KeyboardInterrupt.

    Only the main thread may set signal handlers; elsewhere the KeyboardInterrupt fallback
    in `_wait` applies. The previous handler is restored on the way out.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, lambda signum, frame: on_interrupt())
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.default_int_handler)
