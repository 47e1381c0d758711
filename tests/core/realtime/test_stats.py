"""The live engine's statistics: summaries and the typed status event built from them."""

from __future__ import annotations

import numpy as np
import pytest

from core.jobs.events import LiveStatus
from core.realtime.stats import EngineStats, summarize


def test_summarize_percentiles_and_empty():
    s = summarize(list(range(1, 101)))
    assert s["count"] == 100 and s["p50"] == pytest.approx(50.5) and s["max"] == 100
    assert summarize([]) == {"count": 0}


def test_live_status_from_recent_latency_and_counters():
    stats = EngineStats(fps=25.0)
    for t in np.arange(11) * 0.04:  # 11 frames 40 ms apart: 25 fps
        stats.count_rendered(float(t), idle=False)
    stats.count_dropped(3)
    for ms in [100.0] * 10 + list(range(1, 51)):  # only the last 50 count
        stats.add("end_to_end", ms)
    status = stats.live_status(seconds=0.44, queue_depth=2, underruns=1, overruns=4)
    assert isinstance(status, LiveStatus)
    assert status.fps == pytest.approx(25.0)
    assert status.latency_p50_ms == pytest.approx(25.5) and status.latency_p95_ms == pytest.approx(47.55)
    assert (status.rendered, status.dropped, status.queue_depth) == (11, 3, 2)
    assert (status.underruns, status.overruns, status.seconds) == (1, 4, 0.44)


def test_live_status_before_any_frame():
    status = EngineStats(fps=25.0).live_status(0.0, 0, 0, 0)
    assert status.fps == 0.0 and status.latency_p50_ms == 0.0 and status.rendered == 0
