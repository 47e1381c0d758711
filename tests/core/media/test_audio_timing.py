"""Sound keeps its time through encode, decode and resampling: a burst written at 1 s is read at 1 s.

AAC encoders prepend priming samples (1024 here); the mp4 edit list says to drop them, and if the
reader did not, every mouth driven from a video's sound would lag its picture by 21-64 ms.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.media.audio import read_audio
from core.media.mp4_writer import Mp4Writer


@pytest.mark.parametrize("rate", [16000, 44100, 48000])
def test_a_burst_in_a_video_is_read_where_it_was_written(tmp_path: Path, rate: int) -> None:
    x = np.zeros(2 * rate, np.float32)
    n = int(0.02 * rate)
    x[rate : rate + n] = 0.5 * np.sin(2 * np.pi * 1000 * np.arange(n) / rate) * np.hanning(n)
    path = tmp_path / "burst.mp4"
    with Mp4Writer(path, 64, 64, 25, sample_rate=rate) as w:
        for _ in range(50):
            w.write_frame(np.zeros((64, 64, 3), np.uint8))
        w.write_audio(x)
    y = read_audio(path).astype(np.float64)
    energy = np.convolve(y**2, np.ones(160), "same")
    centre_ms = float(np.argmax(energy)) / 16.0
    assert abs(centre_ms - 1010.0) <= 1.0, centre_ms  # the burst spans 1000..1020 ms
