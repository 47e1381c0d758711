"""Cancel and pause tokens shared by a job and whoever runs it."""

from __future__ import annotations

import threading

from core.jobs.errors import JobCancelled


class JobControl:
    """Thread-safe cancel/pause flags, checked by the job between steps.

    Pausing blocks the job inside `checkpoint()` on an Event (no sleep polling); cancel wakes it.
    """

    def __init__(self) -> None:
        self._cancel = threading.Event()
        self._resume = threading.Event()
        self._resume.set()
        self._wake = threading.Condition()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    @property
    def paused(self) -> bool:
        return not self._resume.is_set()

    def cancel(self) -> None:
        self._cancel.set()
        with self._wake:
            self._wake.notify_all()

    def pause(self) -> None:
        self._resume.clear()

    def resume(self) -> None:
        self._resume.set()
        with self._wake:
            self._wake.notify_all()

    def checkpoint(self) -> None:
        """Raise `JobCancelled` if cancelled; block while paused."""
        if self._cancel.is_set():
            raise JobCancelled()
        if self._resume.is_set():
            return
        with self._wake:
            self._wake.wait_for(lambda: self._resume.is_set() or self._cancel.is_set())
        if self._cancel.is_set():
            raise JobCancelled()
