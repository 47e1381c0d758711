"""The one clock of the live engine, and the mapping between audio samples and video frames.

The audio stream is the timeline: video frame j covers audio samples
[j * rate / fps, (j + 1) * rate / fps). Wall-clock times (capture, stage done, frame ready)
all come from `Clock.now`, a monotonic clock shared by sources, stages and sinks, so latency
is a plain difference of two readings.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass


class Clock:
    """Monotonic seconds; a class so tests can substitute a manual clock."""

    def now(self) -> float:
        return time.perf_counter()

    def sleep_until(self, t: float) -> None:
        delay = t - self.now()
        if delay > 0:
            time.sleep(delay)


@dataclass(frozen=True)
class FrameTimeline:
    """Frames at `fps` laid over audio at `sample_rate`, both starting at sample 0."""

    fps: float
    sample_rate: int

    @property
    def samples_per_frame(self) -> float:
        return self.sample_rate / self.fps

    def frame_start(self, j: int) -> int:
        return int(round(j * self.samples_per_frame))

    def frame_centre(self, j: int) -> float:
        """Sample index at the middle of frame j: the instant the frame shows."""
        return (j + 0.5) * self.samples_per_frame

    def frames_for(self, num_samples: int) -> int:
        """Frames whose start lies inside `num_samples` samples (the count a stream yields)."""
        return int(math.ceil(num_samples * self.fps / self.sample_rate - 1e-9))
