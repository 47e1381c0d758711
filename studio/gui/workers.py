"""Background work for the panels: light jobs that run beside the one user job.

`BackgroundJob` runs light jobs (thumbnails, frame caches) on their own QThread so they never wait
for the user's job. Previews of any job go to its worker's newest-preview slot
(`studio.gui.job_worker`), read by `studio.gui.preview_poller.PreviewPoller`.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject

from core.jobs.job import Job, JobResult
from studio.gui.job_worker import JobThread


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
