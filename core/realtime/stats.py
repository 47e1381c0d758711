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


class RunQueueClock:
    """Seconds the calling thread has spent runnable but not running (waiting for a CPU), from
    Linux's per-thread schedstat; with it a stage's wall time splits into CPU time, waiting for a
    CPU (another process or thread ran), and the rest (the GIL, a lock, sleeping). Elsewhere, or
    with schedstats unavailable, `now()` is NaN. About 1 us per reading (the file stays open)."""

    def __init__(self) -> None:
        self._local = threading.local()

    def now(self) -> float:
        fd = getattr(self._local, "fd", None)
        if fd is None:
            try:
                fd = os.open(f"/proc/self/task/{threading.get_native_id()}/schedstat", os.O_RDONLY)
            except OSError:
                fd = -1
            self._local.fd = fd
        if fd < 0:
            return float("nan")
        try:
            return int(os.pread(fd, 128, 0).split()[1]) * 1e-9
        except (OSError, IndexError, ValueError):
            return float("nan")

    def close_thread(self) -> None:
        """Close the calling thread's file (at the end of the thread that read it)."""
        fd = getattr(self._local, "fd", None)
        if fd is not None and fd >= 0:
            os.close(fd)
        self._local.fd = None


@dataclass(frozen=True, slots=True)
class FrameRecord:
    """One presented frame's instants (`Clock.now` seconds) and its stages' CPU time (ms)."""

    index: int
    idle: bool
    t_capture: float  # audio at the frame's centre captured
    t_needed: float  # the newest sample the frame depends on captured
    t_arrived: float  # that sample's input block delivered
    t_read: float  # the mouth thread read the block that completed the frame
    t_mouth: float  # coefficients ready
    t_render_start: float
    t_render_end: float
    t_presented: float  # every sink has the frame
    mouth_cpu_ms: float
    render_cpu_ms: float
    mouth_runq_ms: float = float("nan")  # the mouth thread's wait for a CPU, read -> coefficients
    render_runq_ms: float = float("nan")  # the render thread's wait for a CPU during render


# the per-frame breakdown: consecutive stages that add up to end_to_end, each split into its CPU time
# and the waiting (for the CPU, the GIL, another thread) where the engine measures both
BREAKDOWN = {
    "lookahead": "frame centre -> the newest sample it depends on captured (built in: feature window + "
    "lookaheads)",
    "block": "that sample captured -> its input block delivered (the block's remainder + the source's "
    "lateness)",
    "wake": "block delivered -> the mouth thread read it (the thread's wake-up; no frame tick: the engine "
    "wakes when the audio that completes a frame has arrived)",
    "mouth": "read -> coefficients ready (resample, features, network); mouth_wait = mouth - its CPU time",
    "handoff": "coefficients ready -> the renderer starts the frame (the render queue, the thread's wake-up)",
    "render": "shape map + model + paste; render_wait = render - its CPU time",
    "present": "rendered -> every sink has it (the newest-frame slot, the recorder's queue)",
}


def frame_breakdown(records: list[FrameRecord], tail_quantile: float = 95.0) -> dict:
    """Per-stage p50/p95/mean (ms) over the presented speech frames, and the stages' means over the
    frames at or beyond the `tail_quantile` of end-to-end latency (what makes the tail late).
    Idle frames (silence shown from the source loop) are left out: they skip the renderer."""
    rs = [r for r in records if not r.idle]
    if not rs:
        return {"frames": 0}
    a = {f: np.array([getattr(r, f) for r in rs], np.float64) for f in FrameRecord.__dataclass_fields__}
    read = np.maximum(a["t_read"], a["t_arrived"])
    stages = {
        "lookahead": a["t_needed"] - a["t_capture"],
        "block": a["t_arrived"] - a["t_needed"],
        "wake": read - a["t_arrived"],
        "mouth": a["t_mouth"] - read,
        "handoff": a["t_render_start"] - a["t_mouth"],
        "render": a["t_render_end"] - a["t_render_start"],
        "present": a["t_presented"] - a["t_render_end"],
    }
    ms = {k: v * 1e3 for k, v in stages.items()}
    ms["mouth_cpu"] = a["mouth_cpu_ms"]
    ms["mouth_wait"] = np.maximum(ms["mouth"] - a["mouth_cpu_ms"], 0.0)
    ms["render_cpu"] = a["render_cpu_ms"]
    ms["render_wait"] = np.maximum(ms["render"] - a["render_cpu_ms"], 0.0)
    if not np.isnan(a["render_runq_ms"]).any():  # the waits split: for a CPU, for the rest (GIL, locks)
        ms["mouth_wait_cpu"] = a["mouth_runq_ms"]
        ms["render_wait_cpu"] = a["render_runq_ms"]
        ms["render_wait_other"] = np.maximum(ms["render_wait"] - a["render_runq_ms"], 0.0)
        ms["mouth_wait_other"] = np.maximum(ms["mouth_wait"] - a["mouth_runq_ms"], 0.0)
    e2e = (a["t_presented"] - a["t_capture"]) * 1e3
    tail = e2e >= np.percentile(e2e, tail_quantile)
    return {
        "frames": len(rs),
        "end_to_end": summarize(e2e),
        "stages": {k: {**summarize(v), "tail_mean": float(v[tail].mean())} for k, v in ms.items()},
        "tail": f"frames at or beyond the p{tail_quantile:g} of end_to_end ({int(tail.sum())})",
        "definitions": BREAKDOWN,
    }


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
    frame_log: list[FrameRecord] = field(default_factory=list)  # every presented frame, in order
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
        level_shift_db: float | None = None,
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
            level_shift_db=level_shift_db,
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
