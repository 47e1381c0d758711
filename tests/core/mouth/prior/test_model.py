"""The prior hears a clip's speech the same with or without digital silence around it."""

from __future__ import annotations

import numpy as np
import pytest

from core.face.prepared import PreparedClip
from core.metrics.correlation import pearson
from core.mouth.prior.model import load_prior


@pytest.mark.parametrize("path", ["stepper", "kernel"])
def test_seconds_of_digital_silence_before_the_speech_change_nothing(demo_clip, path):
    clip = PreparedClip.load(demo_clip)
    audio, fps, n = clip.audio("file"), float(clip.fps), clip.frame_count
    pad = int(3 * fps)
    padded = np.concatenate([np.zeros(int(round(pad / fps * 16000)), np.float32), audio])
    prior = load_prior()
    predict = prior.predict if path == "stepper" else prior.predict_batch
    alone = predict(audio, fps, n)[:, 0]
    after = predict(padded, fps, n + pad)
    assert np.abs(after[: pad - 2, 0]).max() < 0.05  # closed through the silence
    assert pearson(after[pad:, 0], alone) > 0.97
