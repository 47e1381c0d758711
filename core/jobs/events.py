"""Typed events a job reports; runners turn them into progress bars, signals or lists."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only named in annotations: the CLI's parser loads this module and needs no numpy
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
    """An RGB uint8 image `[H, W, 3]` for the GUI (sample grids, renders, attention maps).

    `columns` names the image's equal-width columns left to right (a sample grid's legend, defined
    by the code that composes the grid); empty for a single picture.
    """

    name: str
    image: np.ndarray = field(repr=False)
    columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class Artifact:
    path: Path
    kind: str = ""


@dataclass(frozen=True)
class LogLine:
    message: str
    level: str = "info"


@dataclass(frozen=True)
class RegionRefine:
    """What one densification step did to the Gaussians bound to one group of triangles."""

    region: str  # "semantic regions" (eyes, mouth, nose as configured) or "elsewhere"
    cloned: int
    split: int
    pruned: int


@dataclass(frozen=True)
class RefineStep:
    """A Gaussian densification step (Brush's "refine step"): the counts a GUI plots over training."""

    step: int  # training steps done when it happened
    gaussians_before: int
    gaussians_after: int
    cloned: int = 0
    split: int = 0
    pruned: int = 0
    opacity_reset: bool = False
    regions: tuple[RegionRefine, ...] = ()  # per triangle group, when the strategy knows the regions

    def describe(self) -> str:
        """The console's one-line account of the step."""
        text = f"step {self.step}: cloned {self.cloned}, split {self.split}, pruned {self.pruned}"
        if self.opacity_reset:
            text += ", opacity reset"
        parts = [f"{r.region} +{r.cloned + r.split} -{r.pruned}" for r in self.regions]
        if parts:
            text += f" ({'; '.join(parts)})"
        return f"{text} -> {self.gaussians_after} Gaussians"


@dataclass(frozen=True)
class LiveStatus:
    """The live engine's health, a few times a second: what the GUI's live panel plots."""

    seconds: float  # audio consumed so far (the audio clock)
    fps: float  # frames rendered per second of wall time
    latency_p50_ms: float  # audio captured -> frame ready, over the recent frames
    latency_p95_ms: float
    rendered: int  # frames that reached the sinks
    dropped: int  # frames skipped so the video stays on the audio clock
    underruns: int  # input blocks that arrived late
    overruns: int  # times the engine fell a whole ring buffer behind and lost audio
    queue_depth: int  # render queue length now
    level_db: float = -120.0  # loudness of the newest input block, dBFS (the input level meter)
    # how far the input's speech is shifted to the training clip's level (core.audio.level), dB;
    # None when the audio model carries no level to match
    level_shift_db: float | None = None
    controls: dict[str, float] | None = None  # the live controls in force (sliders echo these)

    def describe(self) -> str:
        """The status line of the console and the GUI's title."""
        return (
            f"{self.seconds:6.1f}s {self.fps:5.1f} fps | dropped {self.dropped} "
            f"| e2e p50 {self.latency_p50_ms:4.0f} p95 {self.latency_p95_ms:4.0f} ms"
            f" | queue {self.queue_depth} | underruns {self.underruns} overruns {self.overruns}"
        )


@dataclass(frozen=True)
class JobFailed:
    """Emitted once by the runner when the job raised; `bad_input` maps to CLI exit code 2."""

    message: str
    bad_input: bool = False
    traceback: str = ""


Event = Progress | Metric | Preview | Artifact | LogLine | RefineStep | LiveStatus | JobFailed
