"""What a running job sees: an event sink plus the control token."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from core.jobs.control import JobControl
from core.jobs.events import Artifact, Event, LogLine, Metric, Preview, Progress

if TYPE_CHECKING:
    import numpy as np

EventSink = Callable[[Event], None]


class JobContext:
    def __init__(self, sink: EventSink, control: JobControl | None = None) -> None:
        self._sink = sink
        self.control = control or JobControl()

    def emit(self, event: Event) -> None:
        self._sink(event)

    def progress(self, step: int, total: int | None = None, message: str = "") -> None:
        self._sink(Progress(step, total, message))

    def metric(self, name: str, step: int, value: float) -> None:
        self._sink(Metric(name, step, float(value)))

    def preview(self, name: str, image: np.ndarray, columns: tuple[str, ...] = ()) -> None:
        self._sink(Preview(name, image, tuple(columns)))

    def artifact(self, path: Path | str, kind: str = "") -> None:
        self._sink(Artifact(Path(path), kind))

    def log(self, message: str, level: str = "info") -> None:
        self._sink(LogLine(message, level))

    def checkpoint(self) -> None:
        self.control.checkpoint()
