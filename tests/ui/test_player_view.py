"""The player shows decoded frames by pulling them on the GUI thread and stops cleanly mid-play."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.media.mp4_writer import Mp4Writer
from ui.player_view import PlayerView


def _clip(path: Path, frames: int = 50) -> Path:
    writer = Mp4Writer(path, 96, 64, 25.0, sample_rate=16000)
    t = np.arange(640, dtype=np.float32) / 16000
    for i in range(frames):
        img = np.zeros((64, 96, 3), np.uint8)
        img[:, : (i * 2) % 96] = (40, 160, 220)
        writer.write_frame(img)
        writer.write_audio(0.2 * np.sin(2 * np.pi * 220 * (t + i * 0.04)))
    return writer.close()


@pytest.fixture
def player(qtbot):
    view = PlayerView()
    qtbot.addWidget(view)
    if not view.available:
        pytest.skip("QtMultimedia is not available here")
    yield view
    view.stop()


def test_no_python_slot_listens_on_the_render_thread_signal(player):
    # a Python receiver on videoFrameChanged makes QtMultimedia's render thread wait for the GIL
    assert player.sink.receivers("2videoFrameChanged(QVideoFrame)") == 0


def test_frames_are_pulled_while_playing_and_stop_mid_play_returns(player, qtbot, tmp_path):
    clip = _clip(tmp_path / "clip.mp4")
    for _ in range(3):  # load -> play -> stop mid-stream, repeatedly (the teardown that once hung)
        player.load(str(clip))
        qtbot.waitUntil(lambda: player.player.duration() > 1000, timeout=10000)
        before = player.frames_shown
        player.toggle()
        qtbot.waitUntil(lambda b=before: player.frames_shown >= b + 3, timeout=10000)
        player.stop()
        assert not player.frame_timer.isActive()
    assert player.video.pixmap() is not None
