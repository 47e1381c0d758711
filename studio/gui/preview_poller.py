"""A GUI timer that reads a newest-preview slot and hands on only what changed.

DeepFaceLive's viewer pattern: every ``interval_ms`` the timer compares the slot's write counter
with the last one seen and returns at once when they are equal; otherwise it fetches only the
newest image of each name. The producer is never slowed and the event loop never queues images.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from core.jobs.preview_slot import PreviewSlot


class PreviewPoller(QObject):
    """Emits ``changed(name, value)`` at most once per tick and name, only for new values.

    ``visible()`` lets a panel skip the work while it is hidden; ``shown`` counts the values handed on.
    """

    changed = Signal(str, object)

    def __init__(
        self,
        slot: PreviewSlot | None,
        interval_ms: int = 33,
        parent: QObject | None = None,
        visible: Callable[[], bool] | None = None,
    ) -> None:
        super().__init__(parent)
        self.shown = 0
        self._visible = visible
        self.watch(slot)
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.poll)

    def watch(self, slot: PreviewSlot | None) -> None:
        """Read `slot` from now on (a new job's), forgetting what the old one had shown."""
        self.slot = slot
        self._seen_total = 0
        self._seen: dict[str, int] = {}

    def start(self) -> None:
        self.timer.start()

    def stop(self) -> None:
        """Stop the timer after handing on what was written before the job ended."""
        self.timer.stop()
        self.poll()

    def poll(self) -> int:
        """One tick: hand on what is new; returns how many names changed (0 = skipped)."""
        if self.slot is None or (self._visible is not None and not self._visible()):
            return 0
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
        self.shown += changed
        return changed
