"""The frame path's priority request on a real engine run: what each thread got is reported, and a
render slower than real time steps back to normal scheduling instead of holding a core."""

from __future__ import annotations

import sys
import time

import pytest
import torch

from core.realtime.assembly import build_live_parts
from core.realtime.engine import EngineConfig, LiveEngine
from core.realtime.sinks import FrameSlot
from core.realtime.sources import PacedSource

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="thread priority is Linux's")


class _HeavyAvatar:
    """The real tiny avatar plus 35 ms of CPU per rendered frame (a renderer slower than 25 fps)."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.fps, self.frame_size = inner.fps, inner.frame_size
        self.feather, self.set_feather = inner.feather, inner.set_feather

    def idle_frame(self, j):
        return self.inner.idle_frame(j)

    def render(self, j, coeffs):
        end = time.thread_time() + 0.035
        while time.thread_time() < end:
            pass
        return self.inner.render(j, coeffs)


@linux_only
def test_a_render_slower_than_real_time_steps_down_from_realtime(tiny_live):
    parts = build_live_parts(
        tiny_live.audio, tiny_live.renderer, tiny_live.loop, "torch", torch.device("cpu")
    )
    engine = LiveEngine(
        PacedSource(tiny_live.speech[: int(16000 * 0.8)], 16000, realtime=False),
        parts.stepper,
        _HeavyAvatar(parts.avatar),
        [FrameSlot()],
        EngineConfig(lossless=True, slow_frames_to_step_down=3),
    )
    r = engine.run().report
    got = r["threads"]["priority"]
    assert set(got) == {"mouth", "render", "source"}
    assert r["frames"]["rendered"] == r["frames"]["emitted"] == 20
    assert [f.index for f in engine.stats.frame_log] == list(range(20))
    if got["mouth"].startswith("SCHED_FIFO"):  # granted here: the render thread had it, then gave it up
        assert got["render"].startswith("stepped down from SCHED_FIFO")
    else:  # not granted: every thread says why and runs normally (or at the nice value it may have)
        assert all(not v.startswith("SCHED_FIFO") for v in got.values())
