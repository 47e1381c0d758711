"""MicSource through a fake sounddevice (no audio hardware here): native 48 kHz, device lost mid-run."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from core.jobs.errors import BadInput
from core.realtime import sources
from core.realtime.assembly import build_live_parts
from core.realtime.engine import LiveEngine
from core.realtime.sinks import RecorderSink


class _FakeStream:
    """Delivers `blocks` callbacks of real-time paced 48 kHz audio, then 'unplugs' (finished callback)."""

    def __init__(self, samplerate, blocksize, device, channels, dtype, callback, finished_callback, blocks):
        self.rate, self.block, self.callback, self.finished = (
            samplerate,
            blocksize,
            callback,
            finished_callback,
        )
        self.blocks = blocks
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        t0 = time.perf_counter()
        status = SimpleNamespace(input_overflow=False, input_underflow=False)
        for k in range(self.blocks):
            time.sleep(max(0.0, t0 + (k + 1) * self.block / self.rate - time.perf_counter()))
            t = np.arange(k * self.block, (k + 1) * self.block) / self.rate
            self.callback(
                (0.3 * np.sin(2 * np.pi * 200 * t)).astype(np.float32)[:, None], self.block, None, status
            )
        self.finished()

    def start(self):
        self._thread.start()

    def stop(self):
        pass

    def close(self):
        pass


def _fake_sd(blocks: int, has_device: bool = True):
    class PortAudioError(Exception):
        pass

    def query_devices(device=None, kind=None):
        if not has_device:
            raise PortAudioError("Error querying device -1")
        if kind is None:
            return [{"name": "fake mic", "max_input_channels": 1, "default_samplerate": 48000.0}]
        return {"name": "fake mic", "max_input_channels": 1, "default_samplerate": 48000.0}

    return SimpleNamespace(
        PortAudioError=PortAudioError,
        query_devices=query_devices,
        InputStream=lambda **kw: _FakeStream(blocks=blocks, **kw),
    )


def test_mic_unplugged_mid_run_stops_cleanly(tiny_live, tmp_path, monkeypatch):
    fake = _fake_sd(blocks=100)  # 1.0 s of 10 ms blocks
    monkeypatch.setattr(sources, "import_sounddevice", lambda: fake)
    mic = sources.MicSource()
    assert mic.sample_rate == 48000
    parts = build_live_parts(
        tiny_live.audio, tiny_live.renderer, tiny_live.loop, "torch", torch.device("cpu")
    )
    rec = RecorderSink(tmp_path / "mic.mp4", parts.avatar.frame_size, 25.0)
    out = LiveEngine(mic, parts.stepper, parts.avatar, [rec]).run()
    assert out.stop_reason == "error" and "device disconnected" in out.error
    r = out.report
    assert r["audio"]["native_rate"] == 48000 and r["audio"]["resampled"]
    assert r["frames"]["rendered"] + r["frames"]["dropped"] == r["frames"]["emitted"] > 10
    assert r["sinks"]["recorder"]["frames_written"] >= r["frames"]["rendered"] > 0
    assert (tmp_path / "mic.mp4").is_file()


def test_no_microphone_is_a_clear_bad_input(monkeypatch):
    fake = _fake_sd(blocks=0, has_device=False)
    monkeypatch.setattr(sources, "import_sounddevice", lambda: fake)
    with pytest.raises(BadInput, match=r"no default input device.*--audio-file"):
        sources.MicSource()
