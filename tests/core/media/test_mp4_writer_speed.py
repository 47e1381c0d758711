"""The encoder speed settings reach the encoders and keep what is recorded: frame count, size,
audio rate and channels, and the picture within a PSNR of the frames given."""

from __future__ import annotations

import av
import numpy as np
import pytest

from core.media.decode import read_frames
from core.media.mp4_writer import LIVE_ENCODER, EncoderOptions, Mp4Writer


def _frames(n: int = 12, size: int = 96) -> np.ndarray:
    y, x = np.mgrid[:size, :size]
    out = []
    for i in range(n):  # smooth moving gradients: an encoder's easy case, so PSNR is a fair check
        b = (x * 2 + i * 3) % 256
        g = (y * 2 + i * 5) % 256
        r = ((x + y) + i * 7) % 256
        out.append(np.stack([b, g, r], axis=-1).astype(np.uint8))
    return np.stack(out)


@pytest.mark.parametrize(("options", "profile"), [(EncoderOptions(), "High"), (LIVE_ENCODER, "Baseline")])
def test_speed_settings_reach_the_encoder_and_keep_the_recording(tmp_path, options, profile):
    frames = _frames()
    path = tmp_path / "out.mp4"
    sound = np.sin(np.linspace(0, 200 * np.pi, 48000 // 2)).astype(np.float32) * 0.3
    with Mp4Writer(path, 96, 96, 25, sample_rate=48000, channels=2, encoder=options) as w:
        for i, f in enumerate(frames):
            w.write_audio(np.stack([sound[i * 1920 : (i + 1) * 1920]] * 2, axis=1))
            w.write_frame(f)
    with av.open(str(path)) as c:
        v, a = c.streams.video[0], c.streams.audio[0]
        assert (v.width, v.height) == (96, 96)
        assert (a.rate, a.channels) == (48000, 2)
        assert profile in (v.codec_context.profile or "")  # ultrafast: no CABAC, Constrained Baseline
    back = read_frames(path)
    assert back.shape == frames.shape
    mse = np.mean((back.astype(np.float64) - frames) ** 2)
    assert 10 * np.log10(255.0**2 / mse) > 30.0
