"""Latency and throughput accounting for the live engine, and its JSON report.

Stages record durations in milliseconds into named series; counters (drops, overruns,
underruns) are plain integers. Series are appended from several threads, which is safe for
Python lists under the GIL, and read for the status event (:class:`core.jobs.events.LiveStatus`)
by copying them first.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field

import numpy as np

from core.jobs.events import LiveStatus

DEFINITIONS = {
    "end_to_end": "audio sample at the frame's centre captured -> frame presented (handed to every sink): "
    "the lip-sync delay against live sound; the sum of the stages audio_lookahead + audio_block + "
    "mouth_compute + queue + render + sinks",
    "end_to_end_from_start": "same, from the frame's first audio sample (adds half a frame period)",
    "from_last_sample": "the newest audio sample the frame depends on captured -> frame presented "
    "(end_to_end minus audio_lookahead: what waiting for the block, computing and queueing add)",
    "audio_lookahead": "frame centre -> the newest audio sample the frame depends on was captured: the "
    "feature window, the model's lookahead and the smoothing lookahead (fixed by the settings)",
    "audio_block": "that sample captured -> its input block delivered (the capture chunk; for a paced "
    "file source also its thread's lateness)",
    "mouth_compute": "block delivered -> mouth coefficients ready (poll, resample, features, network)",
    "mouth_wake": "block delivered -> the mouth thread read it (waiting to be scheduled, part of "
    "mouth_compute)",
    "mouth_cpu": "CPU time of the mouth thread from reading the block to the frame's coefficients",
    "mouth": "audio_lookahead + audio_block + mouth_compute",
    "queue": "mouth coefficients ready -> renderer starts the frame",
    "render": "the renderer's whole frame: shape_map + model + paste (or the idle loop frame)",
    "render_cpu": "CPU time of the thread during render (render minus render_cpu: runnable but not "
    "running, or waiting for the GIL)",
    "shape_map": "coefficients -> mouth landmarks -> driving image",
    "mesh": "coefficients -> landmarks -> deformed, corrected face mesh (Gaussian avatar)",
    "model": "renderer forward pass (lip-sync: cached references; Gaussian: binding + rasterizer)",
    "paste": "feathered, colour-matched paste-back into the full frame",
    "sinks": "handing the frame to view / recorder / virtual camera (a GUI view paints it on its "
    "next timer tick, up to one tick later)",
    "dropped": "frames skipped (never rendered) so the video stays on the audio clock",
    "source_underruns": "input blocks delivered more than two block periods late",
    "overrun_events": "times the engine fell a whole ring buffer (2 s) behind and lost audio",
    "cpu": "process CPU time (all threads) over the run and per rendered frame; per engine thread",
}
STAGES = (
    "mouth",
    "audio_lookahead",
    "audio_block",
    "mouth_compute",
    "mouth_wake",
    "mouth_cpu",
    "queue",
    "render",
    "render_cpu",
    "shape_map",
    "mesh",
    "model",
    "paste",
    "sinks",
    "end_to_end",
    "end_to_end_from_start",
    "from_last_sample",
)


def summarize(values: list[float] | np.ndarray) -> dict[str, float | int]:
    """count, mean, p50, p95, p99, max of a series (ms); zeros-free dict when empty."""
    a = np.asarray(values, np.float64)
    if a.size == 0:
        return {"count": 0}
    return {
        "count": int(a.size),
        "mean": float(a.mean()),
        "p50": float(np.percentile(a, 50)),
        "p95": float(np.percentile(a, 95)),
        "p99": float(np.percentile(a, 99)),
        "max": float(a.max()),
    }


def load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


@dataclass
class EngineStats:
    """Everything the report needs; the engine's threads fill it in."""

    fps: float
    series: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in STAGES})
    frames_emitted: int = 0  # frames the audio produced (mouth stage)
    frames_rendered: int = 0  # frames that reached the sinks (speech or idle)
    frames_idle: int = 0  # of which silent frames shown from the source loop without the model
    frames_dropped: int = 0  # frames skipped so the renderer keeps up with the audio clock
    queue_depth: list[int] = field(default_factory=list)  # render queue depth seen at each take
    audio_samples: int = 0  # input samples consumed (native rate)
    started: float = 0.0
    stopped: float = 0.0
    first_frame: float | None = None
    last_frame: float | None = None
    load_start: list[float] | None = None
    load_end: list[float] | None = None
    cpu_start: float = 0.0  # process CPU seconds (time.process_time) at start / stop
    cpu_end: float = 0.0
    thread_cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds of each engine thread
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, stage: str, ms: float) -> None:
        self.series[stage].append(float(ms))

    def count_rendered(self, t: float, idle: bool) -> None:
        with self._lock:
            self.frames_rendered += 1
            self.frames_idle += int(idle)
            if self.first_frame is None:
                self.first_frame = t
            self.last_frame = t

    def count_dropped(self, n: int = 1) -> None:
        with self._lock:
            self.frames_dropped += n

    def rendered_fps(self) -> float:
        if self.first_frame is None or self.last_frame is None or self.frames_rendered < 2:
            return 0.0
        span = self.last_frame - self.first_frame
        return (self.frames_rendered - 1) / span if span > 0 else 0.0

    def recent(self, stage: str, n: int = 50) -> dict[str, float | int]:
        return summarize(list(self.series[stage][-n:]))

    def live_status(
        self,
        seconds: float,
        queue_depth: int,
        underruns: int,
        overruns: int,
        level_db: float = -120.0,
        controls: dict[str, float] | None = None,
    ) -> LiveStatus:
        """The typed status event: fps, recent end-to-end latency, drops; the engine adds what it owns."""
        e2e = self.recent("end_to_end")
        return LiveStatus(
            seconds=float(seconds),
            fps=self.rendered_fps(),
            latency_p50_ms=float(e2e.get("p50", 0.0)),
            latency_p95_ms=float(e2e.get("p95", 0.0)),
            rendered=self.frames_rendered,
            dropped=self.frames_dropped,
            underruns=int(underruns),
            overruns=int(overruns),
            queue_depth=int(queue_depth),
            level_db=float(level_db),
            controls=controls,
        )

    def cpu_report(self) -> dict:
        """CPU seconds of the process and of each engine thread, and per rendered frame (ms)."""
        n = max(self.frames_rendered, 1)
        process = max(self.cpu_end - self.cpu_start, 0.0)
        return {
            "process_seconds": process,
            "process_ms_per_frame": process * 1e3 / n,
            "threads_seconds": dict(self.thread_cpu),
            "threads_ms_per_frame": {k: v * 1e3 / n for k, v in self.thread_cpu.items()},
        }

    def report(self, **extra) -> dict:
        """The JSON-able report: counters, per-stage latency summaries, fps, load, extras."""
        wall = max(self.stopped - self.started, 0.0)
        return {
            "fps_target": self.fps,
            "fps_rendered": self.rendered_fps(),
            "frames": {
                "emitted": self.frames_emitted,
                "rendered": self.frames_rendered,
                "idle": self.frames_idle,
                "dropped": self.frames_dropped,
            },
            "latency_ms": {s: summarize(v) for s, v in self.series.items()},
            "queue_depth": {
                "max": max(self.queue_depth, default=0),
                "mean": float(np.mean(self.queue_depth)) if self.queue_depth else 0.0,
            },
            "wall_seconds": wall,
            "cpu": self.cpu_report(),
            "load_average": {"start": self.load_start, "end": self.load_end, "cpus": os.cpu_count()},
            "definitions": DEFINITIONS,
            **extra,
        }
