"""Typed events a job reports; runners turn them into progress bars, signals or lists."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Progress:
    step: int
    total: int | None = None
    message: str = ""


@dataclass(frozen=True)
class Metric:
    name: str
    step: int
    value: float


@dataclass(frozen=True)
class Preview:
    """An RGB uint8 image `[H, W, 3]` for the GUI (sample grids, renders, attention maps)."""

    name: str
    image: np.ndarray = field(repr=False)


@dataclass(frozen=True)
class Artifact:
    path: Path
    kind: str = ""


@dataclass(frozen=True)
class LogLine:
    message: str
    level: str = "info"


@dataclass(frozen=True)
class JobFailed:
    """Emitted once by the runner when the job raised; `bad_input` maps to CLI exit code 2."""

    message: str
    bad_input: bool = False
    traceback: str = ""


Event = Progress | Metric | Preview | Artifact | LogLine | JobFailed
