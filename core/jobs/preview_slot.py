"""The newest-preview slot: producers swap in their latest value, a GUI timer polls it.

One queued signal per image floods the GUI's event loop when a job produces images faster than
the screen shows them, and every queued image stays alive until it is painted. A slot keeps only
the newest value per name, and a write counter lets the reader skip its timer tick cheaply when
nothing changed (DeepFaceLive's viewer does the same). The lock is held only to swap references,
so a producer never waits on the reader; values are shared, not copied — producers must not
modify an image after putting it.

Used by the Qt runner for job previews and by the live engine's view sink
(:class:`core.realtime.sinks.FrameSlot`).
"""

from __future__ import annotations

import threading
from typing import Generic, TypeVar

T = TypeVar("T")


class PreviewSlot(Generic[T]):
    """Thread-safe, newest wins per name; ``write_id`` counts every write."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[str, tuple[int, T]] = {}
        self._write_id = 0

    @property
    def write_id(self) -> int:
        """How many values were put so far (any name); unchanged means nothing new to show."""
        return self._write_id

    def put(self, value: T, name: str = "") -> int:
        """Replace the value stored under ``name``; returns this write's id."""
        with self._lock:
            self._write_id += 1
            self._values[name] = (self._write_id, value)
            return self._write_id

    def latest(self, seen_id: int = -1, name: str = "") -> tuple[int, T] | None:
        """``(write id, value)`` of ``name`` when it was written after ``seen_id``, else None."""
        with self._lock:
            entry = self._values.get(name)
        if entry is None or entry[0] <= seen_id:
            return None
        return entry

    def names(self) -> list[str]:
        """The names written so far, in the order first written."""
        with self._lock:
            return list(self._values)
