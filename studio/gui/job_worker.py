"""Qt runner: executes a Qt-free job on a QThread and re-emits its events as signals.

No Python signal is emitted from the job's thread. PySide6 runs an emit's C++ with the GIL held,
and a queued Python argument (a JobResult, a message) is copied under Qt's signal-slot lock, one
of a small pool of mutexes shared by unrelated objects, while the GUI thread, deleting or
connecting a QObject, may hold such a lock and wait for the GIL: the lock-order freeze that
studio.gui.gui_gc avoids for the collector. A CI run of the suite froze in the main window's job
tests, right after a job that failed (its message had just become a Python object signal). So the
job's thread only appends its events to a queue; the worker, which never leaves the GUI thread,
emits them from a GUI-thread timer, and `finished` once the thread has ended. Images do not travel
as signals at all: previews go into the worker's newest-preview slot, which a view reads on its
own timer (:class:`studio.gui.preview_poller.PreviewPoller`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from core.jobs.control import JobControl
from core.jobs.events import (
    Artifact,
    Event,
    JobFailed,
    LiveStatus,
    LogLine,
    Metric,
    Preview,
    Progress,
    RefineStep,
)
from core.jobs.job import Job, JobResult, Status, execute
from core.jobs.preview_slot import PreviewSlot
from studio.gui import gui_gc

DELIVER_MS = 20  # how often the GUI thread hands on a running job's events


class JobWorker(QObject):
    """A job's events as signals, emitted on the GUI thread; cancel/pause go through the JobControl."""

    progress = Signal(int, int, str)  # step, total (0 = unknown), message
    metric = Signal(str, int, float)
    artifact = Signal(str, str)  # path, kind
    log = Signal(str, str)  # message, level
    refine = Signal(object)  # RefineStep (a densification step's counts)
    live_status = Signal(object)  # LiveStatus (fps, latency, drops; a few per second)
    failed = Signal(object, bool)  # message (a str; a Text keeps its template for translation), bad_input
    finished = Signal(object)  # JobResult

    def __init__(self, job: Job, control: JobControl | None = None) -> None:
        super().__init__()
        self.job = job
        self.control = control or JobControl()
        self.previews: PreviewSlot[np.ndarray] = PreviewSlot()  # name -> newest RGB uint8 image
        # name -> its images' column names (Preview.columns), set before the image is put
        self.preview_columns: dict[str, tuple[str, ...]] = {}
        self._inbox: deque[Event | JobResult] = deque()  # appended on the job's thread, read here

    def run(self) -> None:
        """The job, on the calling thread (the job's QThread); its events wait for `deliver`."""
        result = JobResult(Status.FAILED, error="the job's thread ended without a result")
        try:
            result = execute(self.job, self._post, self.control)
        finally:
            self._inbox.append(result)

    def _post(self, event: Event) -> None:
        if isinstance(event, Preview):  # the newest image only, read by the panel's poller
            self.preview_columns[event.name] = event.columns
            self.previews.put(event.image, event.name)
        else:
            self._inbox.append(event)

    def deliver(self, ended: bool = False) -> None:
        """Emit, on the GUI thread, the events posted so far; `finished` only once the job's thread
        has `ended`, so a slot may delete the thread at once."""
        while self._inbox:
            item = self._inbox[0]
            if isinstance(item, JobResult) and not ended:
                return
            self._inbox.popleft()
            if isinstance(item, JobResult):
                self.finished.emit(item)
            else:
                self._emit(item)

    def _emit(self, event: Event) -> None:
        match event:
            case Progress(step=step, total=total, message=message):
                self.progress.emit(step, total or 0, message)
            case Metric(name=name, step=step, value=value):
                self.metric.emit(name, step, value)
            case Artifact(path=path, kind=kind):
                self.artifact.emit(str(path), kind)
            case LogLine(message=message, level=level):
                self.log.emit(message, level)
            case RefineStep():
                self.refine.emit(event)
            case LiveStatus():
                self.live_status.emit(event)
            case JobFailed(message=message, bad_input=bad_input):
                self.failed.emit(message, bad_input)


class _JobQThread(QThread):
    """Runs the worker's job in `run`: no event loop, no Qt object moved onto it."""

    def __init__(self, worker: JobWorker, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worker = worker

    def run(self) -> None:
        self.worker.run()


class JobThread(QObject):
    """Owns one worker and its QThread; `start()` runs it, `stop()` cancels and joins."""

    finished = Signal(object)

    def __init__(self, job: Job, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worker = JobWorker(job)
        self.worker.setParent(self)
        self.thread = _JobQThread(self.worker, self)
        self.thread.setObjectName(f"job-{job.name}")
        # QThread's own finished: emitted in C++ on the ended thread, queued to this GUI-thread slot
        self.thread.finished.connect(self._on_thread_finished)
        self.worker.finished.connect(self._on_finished)
        self.timer = QTimer(self)
        self.timer.setInterval(DELIVER_MS)
        self.timer.timeout.connect(self._deliver)
        self.result: JobResult | None = None

    @property
    def control(self) -> JobControl:
        return self.worker.control

    def start(self) -> None:
        # the job allocates on its thread: no collection there until the thread has ended
        gui_gc.hold_while(lambda thread=self.thread: not thread.isFinished())
        self.timer.start()
        self.thread.start()

    def stop(self, timeout_ms: int = 10000) -> bool:
        self.control.cancel()
        return self.thread.wait(timeout_ms)

    @Slot()
    def _deliver(self) -> None:
        self.worker.deliver()

    @Slot()
    def _on_thread_finished(self) -> None:
        self.timer.stop()
        self.worker.deliver(ended=True)  # the rest, `finished` last

    @Slot(object)
    def _on_finished(self, result: JobResult) -> None:
        self.result = result
        self.finished.emit(result)


def connect_worker(worker: JobWorker, **slots: Callable) -> None:
    """Connect each named worker signal (`progress=...`, `log=...`) to its slot.

    The worker emits on the GUI thread, but a slot that is a bound method of a GUI-thread QObject
    stays right if that ever changes; a lambda or plain function would then run on the job's thread,
    where touching widgets crashes at random."""
    for signal, slot in slots.items():
        if not isinstance(getattr(slot, "__self__", None), QObject):
            raise TypeError(f"worker.{signal} needs a bound method of a QObject, not {slot!r}")
        getattr(worker, signal).connect(slot)
