"""Python's cyclic garbage collection on the GUI thread only, while the studio may run Python elsewhere.

The collector runs on whichever thread allocates when a generation fills. When that is a worker
(a viewport render loading a checkpoint, a training job) and the garbage holds a Qt object, the
object's C++ destructor runs on the worker: it takes Qt's signal-slot lock and then waits for the
GIL, while the GUI thread, connecting a signal or deleting a widget, waits for that lock — the
studio froze that way (a Gaussian run's viewport render beside the curves being drawn; a training
run resuming from its checkpoint while the panel polled its previews). pyqtgraph documents the same
hazard and the same cure: automatic collection off, collection from a GUI-thread timer.

Automatic collection is off while anything holds it: a studio window (:class:`GuiThreadCollector`)
or a worker that runs Python (:func:`hold_while`, taken by each job thread from its start until its
thread has ended and by the Gaussian viewport's render thread). It comes back only when the last
hold is gone, never while a worker may still allocate.
"""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer

INTERVAL_MS = 500
FULL_EVERY_S = 30.0  # a full collection walks the whole heap (torch's included): rarely, as CPython
# itself defers them (it waits for long-lived objects to grow by a quarter)

_active: list[GuiThreadCollector] = []  # the open windows' collectors
_workers: list[Callable[[], bool]] = []  # each True while its worker thread may still run Python
_worker_timer: _WorkerCollector | None = None


class GuiThreadCollector(QObject):
    """Collects each generation past its threshold, from a timer on the thread that made it."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        self.collected = 0  # objects found unreachable so far (tests and diagnostics)
        self._last_full = time.monotonic()
        _active.append(self)
        gc.disable()
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.collect)
        self.timer.start()

    def collect(self) -> None:
        counts = gc.get_count()
        now = time.monotonic()
        full_due = now - self._last_full >= FULL_EVERY_S
        for generation in (2, 1, 0):  # the oldest full generation covers the younger ones
            if counts[generation] > self.thresholds[generation] and (generation < 2 or full_due):
                self.collected += gc.collect(generation)
                if generation == 2:
                    self._last_full = now
                return

    def stop(self) -> None:
        """Stops the timer; automatic collection comes back once no window and no worker holds it."""
        if self not in _active:
            return
        _active.remove(self)
        with contextlib.suppress(RuntimeError):  # its window (and so the timer) is already deleted
            self.timer.stop()
        _update()


class _WorkerCollector(GuiThreadCollector):
    """The collector while only workers hold collection off: it also lets them go once ended."""

    def __init__(self) -> None:
        super().__init__(QCoreApplication.instance())
        _active.remove(self)  # not a window: it does not hold collection off by itself

    def collect(self) -> None:
        super().collect()
        _update()


def hold_while(running: Callable[[], bool]) -> None:
    """Automatic collection off, on the GUI thread's timer instead, until `running()` is False.

    Call it on the GUI thread before the worker starts. `running` is asked on the GUI thread (on
    the collector's timer and whenever a window's collector stops); a deleted Qt object's
    RuntimeError counts as "ended"."""
    global _worker_timer
    app = QCoreApplication.instance()
    if app is None:  # no GUI thread and no Qt objects to protect
        return
    if QThread.currentThread() is not app.thread():
        raise RuntimeError("gui_gc.hold_while must be called on the GUI thread")
    _workers.append(running)
    gc.disable()
    if _worker_timer is None or not shiboken6.isValid(_worker_timer):
        _worker_timer = _WorkerCollector()
    _worker_timer.timer.start()


def _still_running(running: Callable[[], bool]) -> bool:
    try:
        return bool(running())
    except RuntimeError:  # its Qt object is deleted: the thread it owned has ended
        return False


def _update() -> None:
    """Forget ended workers; automatic collection back on when nothing holds it off any more."""
    _workers[:] = [running for running in _workers if _still_running(running)]
    if _workers or _active:
        return
    if _worker_timer is not None and shiboken6.isValid(_worker_timer):
        _worker_timer.timer.stop()
    gc.enable()


def holds() -> int:
    """How many windows and workers hold automatic collection off now (tests and diagnostics)."""
    return len(_active) + len(_workers)


def stop_all() -> None:
    """Every window's collector stopped (a test's window is gone); workers still running keep
    automatic collection off until they end."""
    for collector in list(_active):
        collector.stop()
    _update()
