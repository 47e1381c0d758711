"""Background work for the panels: a newest-preview slot and jobs that run beside the main job.

`PreviewsToSlot` wraps any job so its `Preview` events land in a `NewestSlot` instead of
becoming one queued signal per frame; a panel polls the slot on a QTimer and draws only the
newest image (DeepFaceLive's frame viewers do the same). `BackgroundJob` runs light jobs
(thumbnails, frame caches) on their own QThread so they never wait for the one user job.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QTimer

from core.jobs.context import JobContext
from core.jobs.events import Event, Preview
from core.jobs.job import Job, JobResult
from studio.gui.job_worker import JobThread


class NewestSlot:
    """The newest image a producer wrote, with a write id; readers take it only when it changed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._id = 0
        self._item: tuple[str, np.ndarray] | None = None

    def put(self, name: str, image: np.ndarray) -> None:
        with self._lock:
            self._id += 1
            self._item = (name, image)

    @property
    def write_id(self) -> int:
        return self._id

    def take_if_newer(self, seen_id: int) -> tuple[int, str, np.ndarray] | None:
        with self._lock:
            if self._item is None or self._id == seen_id:
                return None
            return self._id, *self._item


class PreviewsToSlot(Job):
    """Runs `job`, diverting its Preview events into `slot`; every other event passes through."""

    def __init__(self, job: Job, slot: NewestSlot) -> None:
        self.job = job
        self.slot = slot
        self.name = job.name

    def run(self, ctx: JobContext) -> Any:
        def sink(event: Event) -> None:
            if isinstance(event, Preview):
                self.slot.put(event.name, event.image)
            else:
                ctx.emit(event)

        return self.job.run(JobContext(sink, ctx.control))


class SlotPoller(QObject):
    """Calls `show(name, image)` with the slot's newest image, at most every `interval_ms`.

    `visible()` lets the poller skip work while its panel is hidden.
    """

    def __init__(
        self,
        slot: NewestSlot,
        show: Callable[[str, np.ndarray], None],
        visible: Callable[[], bool] = lambda: True,
        interval_ms: int = 40,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.slot = slot
        self._show = show
        self._visible = visible
        self._seen = 0
        self.shown = 0  # images drawn (tests read it)
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.poll)

    def start(self) -> None:
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        self.poll()  # the last frame written before the job ended

    def poll(self) -> None:
        if not self._visible():
            return
        item = self.slot.take_if_newer(self._seen)
        if item is None:
            return
        self._seen, name, image = item
        self.shown += 1
        self._show(name, image)


class BackgroundJob(QObject):
    """A light job on its own thread; `done(result)` runs on the GUI thread. `stop()` cancels and joins."""

    def __init__(self, job: Job, done: Callable[[JobResult], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.thread = JobThread(job, self)
        self.thread.finished.connect(self._finished)
        self._done = done
        self.running = True
        self.thread.start()

    def _finished(self, result: JobResult) -> None:
        self.running = False
        self.thread.thread.wait()
        self._done(result)

    def stop(self) -> None:
        if self.running:
            self.thread.stop()
            self.running = False
