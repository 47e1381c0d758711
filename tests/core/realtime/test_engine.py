"""The engine driven from audio at real-time pace: counts, report, recording, faults, idle, resampling.

Assertions are on counts and invariants only (never on speed), so a loaded machine cannot
make them flaky: rendered + dropped == emitted == audio duration x fps.
"""

from __future__ import annotations

import av
import numpy as np
import pytest
import torch

from core.audio.resample import resample
from core.realtime.assembly import build_live_parts
from core.realtime.clock import Clock
from core.realtime.engine import EngineConfig, LiveEngine
from core.realtime.ring_buffer import AudioRingBuffer
from core.realtime.sinks import FrameSlot, RecorderSink
from core.realtime.sources import PacedSource, SourceError

REPORT_KEYS = {
    "fps_target",
    "fps_rendered",
    "frames",
    "latency_ms",
    "queue_depth",
    "wall_seconds",
    "load_average",
    "audio",
    "frames_expected",
    "stop_reason",
    "error",
    "model",
    "sinks",
}


def _engine(tiny_live, source, sinks, backend="torch", tmp_path=None, avatar_wrapper=None, **cfg):
    parts = build_live_parts(
        tiny_live.audio, tiny_live.renderer, tiny_live.loop, backend, torch.device("cpu"), tmp_path
    )
    avatar = avatar_wrapper(parts.avatar) if avatar_wrapper else parts.avatar
    return LiveEngine(source, parts.stepper, avatar, sinks, EngineConfig(**cfg)), parts


def _streams(path):
    with av.open(str(path)) as c:
        video = c.streams.video[0]
        frames = sum(1 for _ in c.decode(video))
    with av.open(str(path)) as c:
        audio = c.streams.audio[0]
        samples = sum(f.samples for f in c.decode(audio))
        rate = audio.rate
    return frames, samples / rate


def test_file_run_counts_report_and_recording(tiny_live, tmp_path):
    audio = np.concatenate([tiny_live.speech, tiny_live.speech])[: 16000 * 2]  # 2.0 s -> 50 frames
    slot = FrameSlot()
    rec = RecorderSink(tmp_path / "live.mp4", tiny_live.loop.frames.shape[2:0:-1], 25.0)
    engine, _ = _engine(tiny_live, PacedSource(audio, 16000), [slot, rec])
    out = engine.run()
    r = out.report
    assert out.error is None and r["stop_reason"] == "end_of_audio"
    assert set(r) >= REPORT_KEYS
    f = r["frames"]
    assert r["frames_expected"] == 50 == f["emitted"]
    assert f["rendered"] + f["dropped"] == 50
    assert r["latency_ms"]["end_to_end"]["count"] == f["rendered"]
    e2e = r["latency_ms"]["end_to_end"]
    assert e2e["p50"] >= r["model"]["inherent_latency_ms"] - 1.0  # the lookahead is inside the figure
    assert r["audio"]["overrun_events"] == 0 and r["audio"]["seconds"] == pytest.approx(2.0)
    latest = slot.latest()
    assert latest is not None and latest[1][1].shape == tiny_live.loop.frames.shape[1:]
    assert r["sinks"]["recorder"]["frames_written"] == 50
    frames, seconds = _streams(tmp_path / "live.mp4")
    assert frames == 50 and seconds == pytest.approx(2.0, abs=0.07)


class _FailingSource(PacedSource):
    """A device that disappears after `fail_at` seconds of audio."""

    def __init__(self, samples, fail_at: float) -> None:
        super().__init__(samples, 16000)
        self.fail_at = int(fail_at * 16000)

    def next_block(self, start):
        if start >= self.fail_at:
            raise OSError("device unplugged")
        return super().next_block(start)


def test_device_failure_stops_cleanly_and_keeps_recording(tiny_live, tmp_path):
    rec = RecorderSink(tmp_path / "partial.mp4", tiny_live.loop.frames.shape[2:0:-1], 25.0)
    engine, _ = _engine(tiny_live, _FailingSource(np.tile(tiny_live.speech, 3), fail_at=1.0), [rec])
    out = engine.run()
    assert out.stop_reason == "error"
    assert "audio" in out.error and "device unplugged" in out.error
    frames, seconds = _streams(tmp_path / "partial.mp4")
    assert 5 <= frames <= 25 and seconds > 0.3  # what was made before the fault, playable
    assert not any(p.name.startswith(".partial") for p in tmp_path.iterdir())  # no temp file left


class _BrokenAvatar:
    def __init__(self, inner, fail_at: int) -> None:
        self.inner, self.fail_at = inner, fail_at
        self.fps, self.frame_size = inner.fps, inner.frame_size
        self.feather, self.set_feather = inner.feather, inner.set_feather

    def idle_frame(self, j):
        return self.inner.idle_frame(j)

    def render(self, j, coeffs):
        if j >= self.fail_at:
            raise RuntimeError("CUDA out of memory (simulated)")
        return self.inner.render(j, coeffs)


def test_renderer_exception_stops_with_message_and_recording(tiny_live, tmp_path):
    rec = RecorderSink(tmp_path / "r.mp4", tiny_live.loop.frames.shape[2:0:-1], 25.0)
    engine, _ = _engine(
        tiny_live,
        PacedSource(np.tile(tiny_live.speech, 2), 16000),
        [rec],
        avatar_wrapper=lambda a: _BrokenAvatar(a, 12),
        silence_rms=0.0,
    )
    out = engine.run()
    assert out.stop_reason == "error" and "renderer failed at frame" in out.error
    assert "out of memory" in out.error
    frames, seconds = _streams(tmp_path / "r.mp4")
    assert 1 <= frames - rec.frames_repeated <= 12  # made before the fault; then the last one repeats
    assert abs(frames / 25.0 - seconds) < 0.1  # up to the end of the audio (AAC padding aside)


def test_silence_loops_the_source_video(tiny_live):
    slot = FrameSlot()
    engine, _ = _engine(
        tiny_live, PacedSource(np.zeros(16000, np.float32), 16000), [slot], idle_after_frames=0
    )
    r = engine.run().report
    assert r["frames"]["idle"] == r["frames"]["rendered"] > 0
    assert r["latency_ms"]["model"]["count"] == 0  # the renderer never ran
    _, (index, frame) = slot.latest()
    np.testing.assert_array_equal(frame, tiny_live.loop.frames[tiny_live.loop.index(index)])


def test_48k_input_is_resampled_and_seconds_limit(tiny_live):
    audio48 = resample(np.tile(tiny_live.speech, 2), 16000, 48000)
    engine, _ = _engine(tiny_live, PacedSource(audio48, 48000), [], max_seconds=1.0)
    out = engine.run()
    r = out.report
    assert out.error is None and r["stop_reason"] == "time_limit"
    assert r["audio"]["resampled"] and r["audio"]["native_rate"] == 48000
    assert r["frames"]["emitted"] == 25 == r["frames"]["rendered"] + r["frames"]["dropped"]


def test_source_error_type_is_clear():
    src = _FailingSource(np.zeros(1600, np.float32), fail_at=0.0)
    src._run(AudioRingBuffer(1600), Clock())
    with pytest.raises(SourceError, match="device unplugged"):
        src.check()


class _VanishingCamera(FrameSlot):
    name = "virtual_camera"

    def frame(self, index, bgr):
        if index >= 5:
            raise OSError("v4l2loopback device removed")
        super().frame(index, bgr)


def test_failing_sink_stops_with_its_name_and_keeps_recording(tiny_live, tmp_path):
    rec = RecorderSink(tmp_path / "s.mp4", tiny_live.loop.frames.shape[2:0:-1], 25.0)
    engine, _ = _engine(
        tiny_live, PacedSource(np.tile(tiny_live.speech, 2), 16000), [rec, _VanishingCamera()]
    )
    out = engine.run()
    assert out.stop_reason == "error" and out.error.startswith("virtual_camera failed: OSError")
    frames, _ = _streams(tmp_path / "s.mp4")
    assert frames >= 1


ENGINE_VARIANTS = [
    {"render_thread": True, "wake_per_frame": True},  # the default
    {"render_thread": True, "wake_per_frame": False},  # woken by every input block
    {"render_thread": False, "wake_per_frame": True},  # rendered on the mouth thread
]


@pytest.mark.parametrize("rate", [16000, 48000])
def test_engine_variants_give_the_same_frames(tiny_live, rate):
    """How the engine wakes and where it renders never changes a pixel (48 kHz: the resampler holds
    samples back, so waking per frame must not wait for audio that is already in)."""
    from tests.core.realtime.frame_capture import FrameList

    audio = np.tile(tiny_live.speech, 2)[: int(16000 * 1.6)]
    if rate != 16000:
        audio = resample(audio, 16000, rate)
    runs = []
    for cfg in ENGINE_VARIANTS:
        sink = FrameList()
        engine, _ = _engine(tiny_live, PacedSource(audio, rate, realtime=False), [sink], lossless=True, **cfg)
        out = engine.run()
        assert out.error is None and out.stop_reason == "end_of_audio"
        assert out.report["frames"]["dropped"] == 0
        runs.append(sink.frames)
    assert sorted(runs[0]) == list(range(40))
    for other in runs[1:]:
        assert sorted(other) == sorted(runs[0])
        assert all(np.array_equal(runs[0][j], other[j]) for j in runs[0])


@pytest.mark.parametrize("render_thread", [True, False])
def test_per_frame_wake_reads_each_frame_once_at_real_time_pace(tiny_live, render_thread):
    """Paced 10 ms blocks: the mouth thread reads about once per video frame, not per block."""
    audio = np.tile(tiny_live.speech, 2)[:16000]  # 1 s: 100 blocks, 25 frames
    engine, _ = _engine(tiny_live, PacedSource(audio, 16000), [FrameSlot()], render_thread=render_thread)
    reads = []
    real_read = engine.ring.read

    def counting_read(n):
        block = real_read(n)
        reads.append(block.samples.size)
        return block

    engine.ring.read = counting_read
    r = engine.run().report
    assert r["frames"]["emitted"] == 25 == r["frames"]["rendered"] + r["frames"]["dropped"]
    useful = [n for n in reads if n]
    assert len(useful) <= 25 + 2  # one read per frame (+ the tail after the last frame, the end)
