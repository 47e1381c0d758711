"""Qt runner: executes a Qt-free job on a QThread and re-emits its events as signals.

Images do not travel as signals: previews go into the worker's newest-preview slot, which a
view reads on its own timer (:class:`studio.gui.preview_poller.PreviewPoller`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

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
from core.jobs.job import Job, JobResult, execute
from core.jobs.preview_slot import PreviewSlot
from studio.gui import gui_gc


class JobWorker(QObject):
    """Lives on a worker thread; cancel/pause go through the JobControl, never a queued slot."""

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

    @Slot()
    def run(self) -> None:
        result = execute(self.job, self._emit, self.control)
        app = QCoreApplication.instance()
        if app is not None:  # home again before the thread ends: the garbage collector, which runs on
            self.moveToThread(app.thread())  # the GUI thread, may then delete this object safely
        self.finished.emit(result)

    def _emit(self, event: Event) -> None:
        match event:
            case Progress(step=step, total=total, message=message):
                self.progress.emit(step, total or 0, message)
            case Metric(name=name, step=step, value=value):
                self.metric.emit(name, step, value)
            case Preview(name=name, image=image, columns=columns):
                self.preview_columns[name] = columns
                self.previews.put(image, name)
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


class JobThread(QObject):
    """Owns one worker and its QThread; `start()` runs it, `stop()` cancels and joins."""

    finished = Signal(object)

    def __init__(self, job: Job, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worker = JobWorker(job)
        self.thread = QThread(self)
        self.thread.setObjectName(f"job-{job.name}")
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        self.worker.finished.connect(self._on_finished)
        self.result: JobResult | None = None

    @property
    def control(self) -> JobControl:
        return self.worker.control

    def start(self) -> None:
        # the job allocates on its thread: no collection there until the thread has ended
        gui_gc.hold_while(lambda thread=self.thread: not thread.isFinished())
        self.thread.start()

    def stop(self, timeout_ms: int = 10000) -> bool:
        self.control.cancel()
        self.thread.quit()
        return self.thread.wait(timeout_ms)

    @Slot(object)
    def _on_finished(self, result: JobResult) -> None:
        self.result = result
        self.thread.quit()
        self.finished.emit(result)


def connect_worker(worker: JobWorker, **slots: Callable) -> None:
    """Connect each named worker signal (`progress=...`, `log=...`) to its slot.

    Slots must be bound methods of QObjects living on the GUI thread: PySide6 runs a lambda (or a
    plain function) on the emitting worker thread, where touching widgets crashes at random."""
    for signal, slot in slots.items():
        if not isinstance(getattr(slot, "__self__", None), QObject):
            raise TypeError(f"worker.{signal} needs a bound method of a QObject, not {slot!r}")
        getattr(worker, signal).connect(slot)
