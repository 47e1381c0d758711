"""Speech-level matching: quieter and louder voices are brought to the training level, silence is not."""

from __future__ import annotations

import numpy as np
import pytest

from core.audio.fbank import FbankConfig, compute_fbank
from core.audio.level import LOG_PER_DB, MAX_DB, LevelMatcher, speech_level
from core.audio.normalization import NormStats

FB = FbankConfig(num_bins=24)
RATE = 16000


def talk(seconds: float, dbfs: float, noise_dbfs: float = -70.0, seed: int = 0) -> np.ndarray:
    """Syllable-like bursts of a voiced sound (4 a second, pauses between) over a noise floor."""
    t = np.arange(int(seconds * RATE)) / RATE
    rng = np.random.default_rng(seed)
    f0 = 130 + 20 * np.sin(2 * np.pi * 0.5 * t)
    voiced = sum(np.sin(2 * np.pi * h * np.cumsum(f0) / RATE) / h for h in range(1, 10))
    envelope = np.clip(np.sin(2 * np.pi * 2 * t), 0, None) ** 2  # 4 bursts a second
    x = voiced * envelope
    x *= 10 ** (dbfs / 20) / np.sqrt(np.mean(x[envelope > 0.5] ** 2))
    return (x + rng.standard_normal(t.size) * 10 ** (noise_dbfs / 20)).astype(np.float32)


def test_speech_level_follows_the_gain_and_ignores_the_pauses():
    base = speech_level(compute_fbank(talk(6, -25), FB))
    quiet = speech_level(compute_fbank(talk(6, -45), FB))
    sparse = np.concatenate([talk(2, -25), np.zeros(4 * RATE, np.float32) + talk(4, -200)])
    assert (base - quiet) / LOG_PER_DB == pytest.approx(20, abs=1.5)
    assert (base - speech_level(compute_fbank(sparse, FB))) / LOG_PER_DB == pytest.approx(0, abs=1.5)
    assert speech_level(compute_fbank(talk(3, -200, noise_dbfs=-50), FB)) is None  # noise alone


@pytest.mark.parametrize("gain_db", [-20.0, 12.0])
def test_a_voice_at_another_level_is_brought_to_the_training_level(gain_db):
    target = NormStats.fit([compute_fbank(talk(8, -25), FB)]).level
    voice = compute_fbank(talk(8, -25 + gain_db, seed=1), FB)
    matcher = LevelMatcher(target, FB.frame_shift_ms)
    out = matcher.push(voice)
    assert matcher.offset_db == pytest.approx(-gain_db, abs=1.5)
    late = slice(len(out) // 2, None)  # after the first second the frames sit at the clip's level
    assert (speech_level(out[late]) - target) / LOG_PER_DB == pytest.approx(0, abs=2.5)
    np.testing.assert_array_equal(out[0], voice[0])  # nothing is shifted before it has heard speech


def test_a_long_pause_holds_the_level_instead_of_boosting_the_noise():
    target = speech_level(compute_fbank(talk(8, -25), FB))
    stream = np.concatenate([talk(4, -25), talk(20, -200, noise_dbfs=-55, seed=2)])
    matcher = LevelMatcher(target, FB.frame_shift_ms)
    matcher.push(compute_fbank(stream, FB))
    assert abs(matcher.offset_db) < 1.5  # 20 s of room noise 30 dB down did not move it


def test_the_shift_is_limited_and_any_chunking_gives_the_same_frames():
    target = speech_level(compute_fbank(talk(8, -10), FB))
    feats = compute_fbank(talk(6, -45, noise_dbfs=-100), FB)  # 35 dB below: within the gate
    whole = LevelMatcher(target, FB.frame_shift_ms)
    a = whole.push(feats)
    assert whole.offset_db == pytest.approx(MAX_DB, abs=1e-6)
    chunked = LevelMatcher(target, FB.frame_shift_ms)
    b = np.concatenate([chunked.push(feats[i : i + 7]) for i in range(0, len(feats), 7)])
    np.testing.assert_array_equal(a, b)


def test_statistics_carry_the_level_and_old_ones_load_without_it():
    stats = NormStats.fit([compute_fbank(talk(4, -25), FB)])
    assert stats.level is not None
    assert NormStats.from_dict(stats.to_dict()).level == pytest.approx(stats.level)
    old = stats.to_dict()
    del old["level"]
    assert NormStats.from_dict(old).level is None
