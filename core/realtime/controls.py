"""The live engine's control sheet: settings a user moves while the avatar runs (as DeepFaceLive does).

`LiveControls` is shared by the GUI thread (which `request`s values) and the engine's threads
(which read a snapshot per frame and `publish` what they applied). Requests are clamped to
`RANGES` at once; the engine may clamp further (an avatar's own feather range) and publishes
the value in force, which the sliders echo. Nothing is restarted: each value takes effect on
the next frame the thread that owns it handles.

- gain: scales the mouth coefficients (mouth-space offsets from the average mouth), so 0 keeps
  the average mouth and 1.5 opens and rounds it half as much again;
- smoothing: exponential smoothing of the coefficients, weight of the previous frame;
- feather: paste-back softness, in the avatar's units (lip-sync: fraction of the mouth size;
  Gaussian: blur of the render's alpha in tenths of the crop side);
- lookahead: extra video frames the engine waits for, to average each frame's coefficients over
  a window centred on it (zero-phase, unlike `smoothing`); each frame of lookahead adds one
  frame period of latency.

`CoefficientFilter` is the mouth thread's part (smoothing, lookahead: they need the frames
before and after), a pure function of the frames pushed and the values in force, so it is tested
without threads. Gain and feather are per frame: the render thread applies them to the very next
frame it draws (gain after smoothing is the same as before it: both are linear).
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import asdict, dataclass, fields, replace

import numpy as np

from core.mouth.streaming import MouthFrame

RANGES: dict[str, tuple[float, float]] = {
    "gain": (0.0, 2.0),
    "smoothing": (0.0, 0.9),
    "feather": (0.0, 0.5),
    "lookahead": (0, 4),
}


@dataclass(frozen=True)
class ControlValues:
    gain: float = 1.0
    smoothing: float = 0.0
    feather: float = 0.22
    lookahead: int = 0

    def clamped(self) -> ControlValues:
        out = {}
        for f in fields(self):
            lo, hi = RANGES[f.name]
            v = min(max(float(getattr(self, f.name)), lo), hi)
            out[f.name] = int(round(v)) if f.name == "lookahead" else v
        return ControlValues(**out)

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


class LiveControls:
    """Thread-safe: `request` from any thread; `requested` / `applied` snapshots for the engine and views."""

    def __init__(self, values: ControlValues = ControlValues()) -> None:
        self._lock = threading.Lock()
        self._requested = values.clamped()
        self._applied = self._requested
        self.version = 0  # bumped by every request; the engine re-reads when it changed

    def request(self, **changes: float) -> ControlValues:
        """Ask for new values (unknown names are a ValueError); returns the clamped request."""
        unknown = set(changes) - set(RANGES)
        if unknown:
            raise ValueError(f"unknown live controls {sorted(unknown)}; known: {', '.join(RANGES)}")
        with self._lock:
            self._requested = replace(self._requested, **changes).clamped()
            self.version += 1
            return self._requested

    @property
    def requested(self) -> ControlValues:
        with self._lock:
            return self._requested

    @property
    def applied(self) -> ControlValues:
        """What the engine uses now (what sliders show)."""
        with self._lock:
            return self._applied

    def publish(self, **applied: float) -> None:
        """The engine: these values are in force from the frame it is handling."""
        with self._lock:
            self._applied = replace(self._applied, **applied)


class CoefficientFilter:
    """Lookahead window and smoothing over the stepper's frames, in order, one frame at a time."""

    def __init__(self, controls: LiveControls) -> None:
        self.controls = controls
        self._history: deque[MouthFrame] = deque(maxlen=2 * int(RANGES["lookahead"][1]) + 1)
        self._pending: deque[MouthFrame] = deque()
        self._smoothed: np.ndarray | None = None

    def push(self, frames: list[MouthFrame]) -> list[MouthFrame]:
        out: list[MouthFrame] = []
        for f in frames:
            self._history.append(f)
            self._pending.append(f)
            out.extend(self._release(final=False))
        return out

    def flush(self) -> list[MouthFrame]:
        return self._release(final=True)

    def _release(self, final: bool) -> list[MouthFrame]:
        v = self.controls.requested
        out = []
        newest = self._history[-1].index if self._history else -1
        while self._pending and (final or self._pending[0].index + v.lookahead <= newest):
            f = self._pending.popleft()
            window = [h.coeffs for h in self._history if abs(h.index - f.index) <= v.lookahead]
            x = np.mean(window, axis=0) if len(window) > 1 else f.coeffs
            s = v.smoothing
            self._smoothed = x if self._smoothed is None or s == 0 else s * self._smoothed + (1 - s) * x
            out.append(MouthFrame(f.index, np.asarray(self._smoothed, np.float32), f.rms))
        self.controls.publish(smoothing=v.smoothing, lookahead=v.lookahead)
        return out
