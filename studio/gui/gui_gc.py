"""Python's cyclic garbage collection on the GUI thread only, while a studio window is open.

The collector runs on whichever thread allocates when a generation fills. When that is a worker
(a viewport render loading a checkpoint, a training job) and the garbage holds a Qt object, the
object's C++ destructor runs on the worker: it takes Qt's signal-slot lock and then waits for the
GIL, while the GUI thread, connecting a signal, waits for that lock — the studio froze that way
(a Gaussian run's viewport render beside the curves being drawn). pyqtgraph documents the same
hazard and the same cure: automatic collection off, collection from a GUI-thread timer.
"""

from __future__ import annotations

import contextlib
import gc
import time

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500
FULL_EVERY_S = 30.0  # a full collection walks the whole heap (torch's included): rarely, as CPython
# itself defers them (it waits for long-lived objects to grow by a quarter)

_active: list[GuiThreadCollector] = []  # automatic collection comes back when the last one stops


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
        """Stops the timer; the last collector to stop turns automatic collection back on."""
        if self not in _active:
            return
        _active.remove(self)
        with contextlib.suppress(RuntimeError):  # its window (and so the timer) is already deleted
            self.timer.stop()
        if not _active:
            gc.enable()


def stop_all() -> None:
    """Every collector stopped and automatic collection back on (a test's window is gone)."""
    for collector in list(_active):
        collector.stop()
