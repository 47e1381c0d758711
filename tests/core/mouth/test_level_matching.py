"""Render and live drive the mouth the same whatever the voice's level (core.audio.level)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from core.face.prepared import PreparedClip
from core.metrics.correlation import pearson
from core.mouth.loader import load_audio2mouth
from core.mouth.metrics import canonical_opening
from tests.core.mouth.conftest import train_audio_run


@pytest.fixture(scope="module")
def mapped(demo_clip, tmp_path_factory):
    result, run = train_audio_run(demo_clip, tmp_path_factory.mktemp("level") / "mapped", 0)
    assert result.ok, result.error
    return load_audio2mouth(run.path), PreparedClip.load(demo_clip).audio("file")


def _opening(model, audio: np.ndarray) -> np.ndarray:
    return canonical_opening(model.space, model.space.decode(model.predict(np.clip(audio, -1, 1))))


@pytest.mark.parametrize("gain_db", [-20.0, 15.0])
def test_a_voice_at_another_level_moves_the_mouth_as_at_the_clips_level(mapped, gain_db):
    model, audio = mapped
    assert model.norm.level is not None  # the run saved its speech level
    ref = _opening(model, audio)
    other = _opening(model, audio * np.float32(10 ** (gain_db / 20)))
    plain = replace(model, norm=replace(model.norm, level=None))  # as before level matching
    unmatched = _opening(plain, audio * np.float32(10 ** (gain_db / 20)))
    late = slice(len(ref) // 4, None)  # after the first second it has heard the voice
    assert pearson(other[late], ref[late]) > 0.9
    assert 0.7 < other[late].std() / ref[late].std() < 1.4
    assert pearson(unmatched[late], ref[late]) < pearson(other[late], ref[late])  # what it fixes


def test_render_and_live_give_the_same_frames_with_matching_on(mapped):
    model, audio = mapped
    quiet = audio * np.float32(0.1)
    whole = model.predict(quiet)
    stepper = model.stepper()
    chunks = [stepper.push(quiet[i : i + 333]) for i in range(0, len(quiet), 333)]
    live = np.stack([f.coeffs for part in [*chunks, stepper.flush()] for f in part])
    np.testing.assert_allclose(live[: len(whole)], whole, atol=1e-5)
