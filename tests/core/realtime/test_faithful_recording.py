"""Live recordings keep the input's sound as it came: a 44.1/48 kHz stereo file stays so, in sync.

Assertions are on formats, durations and which sound is in which channel.
"""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
import torch

from core.audio.resample import resample
from core.realtime.assembly import build_live_parts
from core.realtime.engine import EngineConfig, LiveEngine
from core.realtime.sinks import RecorderSink, VideoSink
from core.realtime.sources import file_source
from tests.core.media.audio_files import write_audio
from tests.core.media.test_native_audio import probe_audio


def _stereo_file(tmp_path: Path, speech16: np.ndarray, rate: int, seconds: float) -> tuple[Path, np.ndarray]:
    """Speech on the left, a 660 Hz tone on the right, at `rate`; returns (path, [S, 2])."""
    left = resample(np.tile(speech16, 3)[: int(seconds * 16000)], 16000, rate)
    t = np.arange(len(left)) / rate
    stereo = np.stack([0.8 * left, 0.3 * np.sin(2 * np.pi * 660 * t)], axis=1).astype(np.float32)
    path = tmp_path / f"stereo{rate}.wav"
    write_audio(path, np.ascontiguousarray(stereo.T), rate, "pcm_s16le", "s16", layout="stereo")
    return path, stereo


def _peak_hz(x: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(x))
    return float(np.fft.rfftfreq(len(x), 1 / rate)[np.argmax(spectrum)])


def _video(path: Path) -> tuple[int, float, tuple[int, int]]:
    with av.open(str(path)) as c:
        v = c.streams.video[0]
        frames = sum(1 for _ in c.decode(v))
        return frames, frames / 25.0, (v.width, v.height)


@pytest.mark.parametrize("rate", [44100, 48000])
def test_a_recording_from_a_stereo_file_keeps_its_rate_and_channels(tiny_live, tmp_path, rate):
    path, stereo = _stereo_file(tmp_path, tiny_live.speech, rate, 1.2)
    source = file_source(path, realtime=False)
    assert source.native_format == (rate, 2) and source.sample_rate == 16000  # the model still gets 16k
    parts = build_live_parts(
        tiny_live.audio, tiny_live.renderer, tiny_live.loop, "torch", torch.device("cpu"), None
    )
    rec = RecorderSink.for_source(tmp_path / "live.mp4", parts.avatar.frame_size, 25.0, source)
    plain = RecorderSink(tmp_path / "plain.mp4", parts.avatar.frame_size, 25.0)  # asked for 16 kHz mono
    engine = LiveEngine(source, parts.stepper, parts.avatar, [rec, plain], EngineConfig(lossless=True))
    out = engine.run()
    assert out.error is None and out.stop_reason == "end_of_audio"
    got_rate, channels, sound = probe_audio(tmp_path / "live.mp4")
    assert (got_rate, channels) == (rate, 2)
    frames, _, size = _video(tmp_path / "live.mp4")
    assert frames == 30 and size == parts.avatar.frame_size  # 1.2 s at 25 fps, the loop's own size
    assert abs(len(sound) / rate - 1.2) < 0.06 and rec.info()["audio_format"] == f"{rate} Hz, 2 ch"
    plain_rate, plain_channels, plain_sound = probe_audio(tmp_path / "plain.mp4")  # resampled, mixed
    assert (plain_rate, plain_channels) == (16000, 1) and abs(len(plain_sound) / 16000 - 1.2) < 0.06
    assert abs(_peak_hz(sound[:, 1], rate) - 660) < 5 and abs(_peak_hz(sound[:, 0], rate) - 660) > 20
    # the left channel is the file's left channel (AAC priming delay found by correlation)
    ref = stereo[rate // 4 : rate // 4 + 4096, 0]
    lag = int(np.argmax(np.correlate(sound[rate // 4 : rate // 4 + 8192, 0], ref, mode="valid")))
    n = rate // 2
    a, b = sound[rate // 4 + lag : rate // 4 + lag + n, 0], stereo[rate // 4 : rate // 4 + n, 0]
    assert np.corrcoef(a, b)[0, 1] > 0.95


class _RecordAt(VideoSink):
    """Presses Record when frame `on` shows (as the GUI's button would)."""

    def __init__(self, recorder: RecorderSink, on: int) -> None:
        self.recorder, self.on, self.engine = recorder, on, None

    def frame(self, index: int, bgr: np.ndarray) -> None:
        if index >= self.on >= 0:
            self.engine.record(self.recorder)
            self.on = -1


def test_a_recording_started_mid_session_starts_its_native_sound_at_its_first_frame(tiny_live, tmp_path):
    rate = 48000
    path, stereo = _stereo_file(tmp_path, tiny_live.speech, rate, 2.0)
    source = file_source(path)  # at real-time pace: Record is pressed while the audio still comes
    parts = build_live_parts(
        tiny_live.audio, tiny_live.renderer, tiny_live.loop, "torch", torch.device("cpu"), None
    )
    rec = RecorderSink.for_source(tmp_path / "mid.mp4", parts.avatar.frame_size, 25.0, source)
    button = _RecordAt(rec, on=10)
    engine = LiveEngine(source, parts.stepper, parts.avatar, [button], EngineConfig())
    button.engine = engine
    assert engine.run().error is None
    got_rate, channels, sound = probe_audio(tmp_path / "mid.mp4")
    assert (got_rate, channels) == (rate, 2) and rec.first_frame >= 10
    frames, _, _ = _video(tmp_path / "mid.mp4")
    # its sound is the file from its first frame's start to the end (2.0 s), plus AAC's priming
    assert 0 <= len(sound) / rate - (50 - rec.first_frame) / 25.0 < 0.05
    assert rec.info()["audio_seconds"] == pytest.approx((50 - rec.first_frame) / 25.0, abs=1e-6)
    assert frames >= 10  # (video/audio duration agreement: test_record_mid_session)
    # its sound starts at its first frame's start in the file: find the offset by correlation
    start = rec.first_frame * rate // 25
    ref = sound[rate // 4 : rate // 4 + 4096, 0]  # 0.25 s into the recording (past AAC priming)
    found = int(np.argmax(np.correlate(stereo[:, 0], ref, mode="valid")))
    delay = start + rate // 4 - found  # AAC's encoder delay shifts the decoded sound later
    assert 0 <= delay <= 2048, delay
