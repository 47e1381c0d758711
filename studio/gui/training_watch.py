"""What the training panel shows of a run's events: plot routing, rate and ETA, preview composites.

Plain functions and a small class (no Qt), so they are tested without a window.
"""

from __future__ import annotations

import time

import numpy as np

from core.train.metric_sink import HELD_OUT_PREFIXES

# The share of wall time the curves may hold the GUI thread (and with it the GIL the trainer needs)
CURVE_BUDGET = 0.01


def metric_panel(name: str) -> str | None:
    """Which plot a metric belongs on (None: shown elsewhere, e.g. steps/s in the status line)."""
    if name in ("train/iter_per_s", "train/resolution") or name.startswith("perf/"):
        return None
    if name == "train/gaussians":
        return "Gaussians"
    if name.startswith("lr"):
        return "Learning rate"
    if name.startswith(HELD_OUT_PREFIXES) or "psnr" in name or "ssim" in name:
        return "Quality"
    return "Losses"


def redraw_interval_ms(
    busy_s: float, budget: float = CURVE_BUDGET, min_ms: int = 3000, max_ms: int = 15000
) -> int:
    """When to redraw the curves next: the last redraw's cost (its wall seconds, paints included)
    over ``budget``, within [min_ms, max_ms]. A slow paint (a busy machine, long curves) spaces the
    redraws out, so drawing takes at most ``budget`` of the time the trainer could use, except on a
    swamped machine, where a creator still gets a fresh curve every ``max_ms``."""
    return int(min(max_ms, max(min_ms, 1000.0 * busy_s / budget)))


DIFFERENCE_COLUMN = "|output − target| ×3"  # the column `with_difference` adds (at its default gain)


def with_difference(grid: np.ndarray, gain: float = 3.0) -> np.ndarray:
    """The lip-sync sample grid (source | shape map | output | target) plus |output - target| x gain."""
    cell = grid.shape[1] // 4
    if grid.shape[1] != 4 * cell:
        return grid
    out = grid[:, 2 * cell : 3 * cell].astype(np.int16)
    target = grid[:, 3 * cell :].astype(np.int16)
    diff = np.clip(np.abs(out - target) * gain, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(np.concatenate([grid, diff], axis=1))


class RateMeter:
    """Steps per second over the recent progress events, and the ETA it implies."""

    def __init__(self, window_s: float = 5.0) -> None:
        self.window_s = window_s
        self.samples: list[tuple[float, int]] = []

    def add(self, step: int, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        if self.samples and step < self.samples[-1][1]:
            self.samples.clear()
        self.samples.append((now, step))
        while len(self.samples) > 2 and now - self.samples[0][0] > self.window_s:
            self.samples.pop(0)

    def rate(self) -> float:
        if len(self.samples) < 2:
            return 0.0
        (t0, s0), (t1, s1) = self.samples[0], self.samples[-1]
        return (s1 - s0) / (t1 - t0) if t1 > t0 else 0.0

    def eta(self, step: int, total: int) -> str:
        r = self.rate()
        if r <= 0 or total <= 0:
            return "--"
        s = int((total - step) / r)
        return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def attention_over_output(grid: np.ndarray | None, attention: np.ndarray, alpha: float) -> np.ndarray:
    """The trainer's attention strip (one heat-map cell per module, already blended 50/50 over the
    output) mixed with the plain output by ``alpha`` (0: output only, 1: the trainer's blend).

    The plain output is the third cell of the sample grid's first row (source | shape map | output |
    target, see core.lipsync.previews); without a matching grid the strip is shown as it is.
    """
    h = attention.shape[0]
    if grid is None or grid.shape[1] != 4 * h or attention.shape[1] % h:
        return attention
    base = np.tile(grid[:h, 2 * h : 3 * h], (1, attention.shape[1] // h, 1)).astype(np.float32)
    mixed = base * (1.0 - alpha) + attention.astype(np.float32) * alpha
    return np.clip(mixed + 0.5, 0, 255).astype(np.uint8)
