"""The prepare dialog's summary line says whether the clip's sound track can teach the audio model,
and how far its sound runs from its picture (`core.mouth.av_sync`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.face.prepared import PreparedClip
from core.mouth.av_sync import AvOffset
from studio.gui.prepare_controller import summary_text


def _clip(has_audio: bool, voiced: float | None, av: AvOffset | None = None) -> PreparedClip:
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
        *([] if av is None else [av]),
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


@pytest.mark.parametrize(
    ("has_audio", "av", "said"),
    [
        (True, AvOffset(3, 120.0, True, "measured"), "sound 120 ms behind the picture (re-timed)"),
        (True, AvOffset(-2, -80.0, True, "fixed"), "sound 80 ms ahead of the picture (re-timed)"),
        (True, AvOffset(0, 0.0, False, "measured"), "sound and picture in sync"),
        (True, AvOffset(source="off"), "sound timing as in the file"),
        (True, None, "sound timing not measured"),  # a clip prepared before the measurement
    ],
)
def test_summary_says_the_sound_offset(has_audio, av, said):
    assert f"· {said} ·" in summary_text(_clip(has_audio, 0.9, av))


def test_no_sound_no_offset_words():
    assert "sound" not in summary_text(_clip(False, None, AvOffset(3, 120.0, True, "measured")))
