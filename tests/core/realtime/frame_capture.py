"""Capture the frames of the offline render and of the unpaced live engine, to compare them pixel by pixel."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from core.media.audio import read_audio
from core.realtime.engine import EngineConfig, LiveEngine
from core.realtime.sinks import VideoSink
from core.realtime.sources import file_source


class FrameList(VideoSink):
    """Keeps every frame the engine emits, by index."""

    name = "frames"

    def __init__(self) -> None:
        self.frames: dict[int, np.ndarray] = {}

    def frame(self, index: int, bgr: np.ndarray) -> None:
        self.frames[index] = bgr.copy()


def keep_written_frames(monkeypatch: pytest.MonkeyPatch, module: ModuleType) -> list[np.ndarray]:
    """Patch `module.Mp4Writer` so each frame it writes (for real) is also kept in the returned list."""
    seen: list[np.ndarray] = []

    class KeepingWriter(module.Mp4Writer):  # type: ignore[name-defined]
        def write_frame(self, frame: np.ndarray) -> None:
            seen.append(frame.copy())
            super().write_frame(frame)

    monkeypatch.setattr(module, "Mp4Writer", KeepingWriter)
    return seen


def run_unpaced(audio: Path, stepper, avatar):
    """The live engine on a file, unpaced and lossless (mouths rendered in silence too, as render does).
    Returns (frames by index, the engine's outcome)."""
    sink = FrameList()
    config = EngineConfig(lossless=True, idle_after_frames=10**9)
    outcome = LiveEngine(file_source(audio, realtime=False), stepper, avatar, [sink], config).run()
    return sink.frames, outcome


def expected_frames(audio: Path, fps: int = 25) -> int:
    """How many video frames cover the audio file at `fps` (the last partial frame counts)."""
    return int(np.ceil(len(read_audio(audio)) * fps / 16000 - 1e-9))
