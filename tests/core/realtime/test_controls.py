"""The control sheet: clamped requests, the values in force published, changes on the next frame."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core.mouth.streaming import MouthFrame
from core.realtime.assembly import build_live_parts
from core.realtime.controls import CoefficientFilter, ControlValues, LiveControls
from core.realtime.engine import EngineConfig, LiveEngine
from core.realtime.sinks import VideoSink
from core.realtime.sources import PacedSource


def _frames(n: int, k: int = 3) -> list[MouthFrame]:
    rng = np.random.default_rng(0)
    return [MouthFrame(j, rng.standard_normal(k).astype(np.float32), 0.1) for j in range(n)]


def test_requests_are_clamped_and_unknown_names_refused():
    c = LiveControls()
    assert c.request(gain=5.0).gain == 2.0
    assert c.request(lookahead=2.6, smoothing=-1).lookahead == 3
    assert c.requested.smoothing == 0.0 and c.version == 2
    with pytest.raises(ValueError, match=r"unknown live controls.*known: gain"):
        c.request(volume=1.0)


def test_default_filter_passes_frames_through_unchanged():
    frames = _frames(12)
    out = CoefficientFilter(LiveControls()).push(frames)
    assert [f.index for f in out] == list(range(12))
    assert all(np.array_equal(a.coeffs, b.coeffs) for a, b in zip(out, frames, strict=True))


def test_lookahead_waits_and_averages_a_centred_window():
    frames = _frames(8)
    controls = LiveControls(ControlValues(lookahead=1))
    filt = CoefficientFilter(controls)
    out = filt.push(frames[:3])
    assert [f.index for f in out] == [0, 1]  # frame 2 waits for frame 3
    np.testing.assert_allclose(out[1].coeffs, np.mean([f.coeffs for f in frames[:3]], 0), rtol=1e-6)
    out += filt.push(frames[3:]) + filt.flush()
    assert [f.index for f in out] == list(range(8))
    np.testing.assert_allclose(out[7].coeffs, np.mean([f.coeffs for f in frames[6:]], 0), rtol=1e-6)
    assert controls.applied.lookahead == 1


def test_smoothing_is_an_exponential_average():
    frames = _frames(3)
    out = CoefficientFilter(LiveControls(ControlValues(smoothing=0.5))).push(frames)
    np.testing.assert_allclose(out[1].coeffs, 0.5 * frames[0].coeffs + 0.5 * frames[1].coeffs, rtol=1e-6)


class _Frames(VideoSink):
    """Keeps the frames; at frame `at` asks for `changes` as a user's slider would."""

    name = "frames"

    def __init__(self, controls: LiveControls | None = None, at: int = -1, **changes) -> None:
        self.frames: dict[int, np.ndarray] = {}
        self.controls, self.at, self.changes = controls, at, changes

    def frame(self, index: int, bgr: np.ndarray) -> None:
        self.frames[index] = bgr.copy()
        if index == self.at:
            self.controls.request(**self.changes)


def _run(tiny_live, sink_factory, **values) -> tuple[dict[int, np.ndarray], LiveControls]:
    parts = build_live_parts(
        tiny_live.audio, tiny_live.renderer, tiny_live.loop, "torch", torch.device("cpu"), None
    )
    controls = LiveControls(ControlValues(feather=parts.avatar.feather, **values))
    sink = sink_factory(controls)
    cfg = EngineConfig(lossless=True, idle_after_frames=10**9)
    source = PacedSource(tiny_live.speech, 16000, realtime=False)
    outcome = LiveEngine(source, parts.stepper, parts.avatar, [sink], cfg, controls=controls).run()
    assert outcome.error is None, outcome.error
    return sink.frames, controls


def test_gain_moved_while_running_changes_the_next_frame(tiny_live):
    plain, _ = _run(tiny_live, lambda c: _Frames())
    closed, _ = _run(tiny_live, lambda c: _Frames(), gain=0.0)
    moved, controls = _run(tiny_live, lambda c: _Frames(c, at=10, gain=0.0))
    n = len(plain)
    assert n == len(moved) == len(closed) > 20
    assert all(np.array_equal(moved[j], plain[j]) for j in range(11))  # up to the frame it was moved on
    assert all(np.array_equal(moved[j], closed[j]) for j in range(11, n))  # from the very next frame
    assert any(not np.array_equal(plain[j], closed[j]) for j in range(11, n))  # gain 0 shows
    assert controls.applied.gain == 0.0


def test_feather_moved_while_running_is_clamped_by_the_avatar_and_published(tiny_live):
    _, controls = _run(tiny_live, lambda c: _Frames(c, at=5, feather=0.0))
    assert controls.requested.feather == 0.0 and controls.applied.feather == 0.02  # the avatar's floor
