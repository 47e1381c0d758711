"""A GUI timer that reads a newest-preview slot and hands on only what changed.

DeepFaceLive's viewer pattern: every ``interval_ms`` the timer compares the slot's write counter
with the last one seen and returns at once when they are equal; otherwise it fetches only the
newest image of each name. The producer is never slowed and the event loop never queues images.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from core.jobs.preview_slot import PreviewSlot


class PreviewPoller(QObject):
    """Emits ``changed(name, value)`` at most once per tick and name, only for new values."""

    changed = Signal(str, object)

    def __init__(self, slot: PreviewSlot, interval_ms: int = 33, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.slot = slot
        self._seen_total = 0
        self._seen: dict[str, int] = {}
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.poll)

    def start(self) -> None:
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def poll(self) -> int:
        """One tick: hand on what is new; returns how many names changed (0 = skipped)."""
        total = self.slot.write_id
        if total == self._seen_total:
            return 0
        self._seen_total = total
        changed = 0
        for name in self.slot.names():
            got = self.slot.latest(self._seen.get(name, -1), name)
            if got is not None:
                self._seen[name] = got[0]
                self.changed.emit(name, got[1])
                changed += 1
        return changed
