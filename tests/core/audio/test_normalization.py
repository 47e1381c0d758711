"""Feature statistics leave digital silence out and keep every sound, however quiet."""

from __future__ import annotations

import numpy as np

from core.audio.fbank import FbankConfig, compute_fbank
from core.audio.normalization import NormStats, audible

FB = FbankConfig(num_bins=24)
RATE = 16000


def _tone(seconds: float, dbfs: float, seed: int = 0) -> np.ndarray:
    """Two partials and a little noise, swelling four times a second as syllables do."""
    t = np.arange(int(seconds * RATE)) / RATE
    rng = np.random.default_rng(seed)
    x = np.sin(2 * np.pi * 220 * t) + 0.5 * np.sin(2 * np.pi * 1300 * t) + 0.1 * rng.standard_normal(t.size)
    x *= 0.1 + np.sin(np.pi * 4 * t) ** 2
    return (x / np.sqrt((x**2).mean()) * 10 ** (dbfs / 20)).astype(np.float32)


def _noise(seconds: float, dbfs: float, seed: int = 1) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal(int(seconds * RATE))
    return (x / np.sqrt((x**2).mean()) * 10 ** (dbfs / 20)).astype(np.float32)


def test_frames_of_digital_silence_are_left_out_and_a_noise_floor_is_kept():
    zeros = np.zeros(RATE, np.float32)
    samples = np.concatenate([zeros, _noise(1.0, -75.0), _tone(1.0, -20.0)])
    feats = compute_fbank(samples, FB)
    kept = audible(feats, samples, FB)
    starts = np.arange(feats.shape[0]) * FB.shift_samples
    silent = starts + FB.window_samples <= zeros.size  # windows wholly inside the zeros
    assert silent.sum() > 40
    np.testing.assert_array_equal(kept, feats[~silent])


def test_all_silent_audio_keeps_every_frame():
    samples = np.zeros(RATE, np.float32)
    feats = compute_fbank(samples, FB)
    np.testing.assert_array_equal(audible(feats, samples, FB), feats)


def test_seconds_of_silence_no_longer_move_the_statistics():
    speech = _tone(3.0, -25.0)
    padded = np.concatenate([np.zeros(3 * RATE, np.float32), speech])
    alone = NormStats.fit([compute_fbank(speech, FB)])
    whole = compute_fbank(padded, FB)
    with_silence = NormStats.fit([audible(whole, padded, FB)])
    everything = NormStats.fit([whole])  # what the statistics were before
    np.testing.assert_allclose(with_silence.mean, alone.mean, atol=0.1)
    np.testing.assert_allclose(with_silence.std, alone.std, rtol=0.15)  # two windows straddle the edge
    assert np.abs(everything.mean - alone.mean).min() > 2.0  # the floor dragged every bin before
    assert (everything.std > 2 * alone.std).all()


def test_a_slice_of_features_is_matched_to_its_own_windows():
    """The trainer passes the training part's frames only: the first rows of the clip's features."""
    samples = np.concatenate([_tone(1.0, -20.0), np.zeros(RATE, np.float32)])
    feats = compute_fbank(samples, FB)
    head = feats[:30]
    np.testing.assert_array_equal(audible(head, samples, FB), head)
