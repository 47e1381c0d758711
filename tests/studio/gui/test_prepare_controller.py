"""The prepare dialog's summary line says whether the clip's sound track can teach the audio model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.face.prepared import PreparedClip
from studio.gui.prepare_controller import summary_text


def _clip(has_audio: bool, voiced: float | None) -> PreparedClip:
    n = 4
    manifest = {
        "name": "c",
        "mouth_size": 128,
        "audio_voiced_fraction": voiced,
        "quality": {"face_found": [True] * n},
        "timings": {"total_s": 1.0},
    }
    boxes = np.zeros((n, 4), np.float32)
    return PreparedClip(
        Path("c"),
        manifest,
        25.0,
        n,
        64,
        64,
        has_audio,
        np.zeros((n, 478, 3)),
        np.ones(n, bool),
        boxes,
        boxes,
        [],
    )


@pytest.mark.parametrize(
    ("has_audio", "voiced", "said"),
    [
        (True, 0.0, "silent audio"),
        (True, 0.9, "with audio"),
        (False, None, "no audio"),
        (True, None, "with audio"),
    ],
)
def test_summary_names_a_silent_sound_track(has_audio, voiced, said):
    text = summary_text(_clip(has_audio, voiced))
    assert f"· {said} ·" in text
