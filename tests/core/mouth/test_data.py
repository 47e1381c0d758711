"""Audio-to-mouth training data: silent clips are left out (they would teach a moving mouth in silence)."""

from __future__ import annotations

import numpy as np
import pytest

from core.audio.fbank import FbankConfig
from core.jobs.errors import BadInput
from core.mouth.data import ClipData, drop_silent


def _clip(name: str, audio: np.ndarray) -> ClipData:
    n = 25
    return ClipData(
        name, 25.0, audio.astype(np.float32), np.zeros((n, 478, 3), np.float32), np.ones(n, bool), np.ones(n)
    )


def test_drop_silent_keeps_speech_and_names_the_silent_clip():
    rng = np.random.default_rng(0)
    speech = _clip("talk", 0.1 * rng.standard_normal(16000))
    mute = _clip("mute", np.zeros(16000))  # a camera's digital silence
    fbank = FbankConfig()
    keep, messages = drop_silent([speech, mute], fbank)
    assert [c.name for c in keep] == ["talk"]
    assert (
        len(messages) == 1 and "'mute'" in messages[0] and "100%" in messages[0] and "left out" in messages[0]
    )


def test_drop_silent_refuses_when_no_clip_has_speech():
    with pytest.raises(BadInput, match=r"'mute' is silent in 100%.*Prepare a video"):
        drop_silent([_clip("mute", np.zeros(16000))], FbankConfig())
    with pytest.raises(BadInput, match="'short'"):
        drop_silent([_clip("short", np.zeros(10))], FbankConfig())
