"""Recording started and stopped while the engine runs: the file starts at a frame boundary, its
video and audio last as long, and the session goes on."""

from __future__ import annotations

import av
import numpy as np
import torch

from core.realtime.assembly import build_live_parts
from core.realtime.engine import EngineConfig, LiveEngine
from core.realtime.sinks import RecorderSink, VideoSink
from core.realtime.sources import PacedSource


class _Button(VideoSink):
    """Presses Record at frame `on` and stops it at frame `off`, as the panel's button does."""

    name = "button"

    def __init__(self, recorder: RecorderSink, on: int, off: int) -> None:
        self.recorder, self.on, self.off = recorder, on, off
        self.engine: LiveEngine | None = None
        self.seen = 0

    def frame(self, index: int, bgr: np.ndarray) -> None:
        self.seen += 1
        if index >= self.on and self.on >= 0:
            self.engine.record(self.recorder)
            self.on = -1
        if index >= self.off and self.off >= 0:
            self.engine.stop_recording(self.recorder)
            self.off = -1


def test_record_pressed_mid_session_gives_an_aligned_file(tiny_live, tmp_path):
    parts = build_live_parts(
        tiny_live.audio, tiny_live.renderer, tiny_live.loop, "torch", torch.device("cpu"), None
    )
    rec = RecorderSink(tmp_path / "mid.mp4", parts.avatar.frame_size, 25.0)
    button = _Button(rec, on=10, off=40)
    source = PacedSource(np.tile(tiny_live.speech, 2), 16000)  # 3.2 s at real-time pace: 80 frames
    engine = LiveEngine(source, parts.stepper, parts.avatar, [button], EngineConfig())
    button.engine = engine
    outcome = engine.run()
    assert outcome.error is None and outcome.stop_reason == "end_of_audio"
    assert rec not in engine.sinks and button.seen > 50  # the session went on after the stop
    with av.open(str(tmp_path / "mid.mp4")) as c:
        v, a = c.streams.video[0], c.streams.audio[0]
        frames = sum(1 for _ in c.decode(v))
        video_s, audio_s = float(v.duration * v.time_base), float(a.duration * a.time_base)
    assert 10 <= rec.first_frame <= 30  # from the frame boundary after the press
    assert 10 <= frames <= 50 and rec.first_frame + frames < 80  # stopped before the session ended
    assert abs(video_s - audio_s) <= 1.0 / 25.0
