"""Resampling for non-16 kHz input, video-frame alignment and normalisation statistics."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.audio.alignment import clip_pairs, frames_needed, pair_start, video_frames_for
from core.audio.fbank import FbankConfig
from core.audio.normalization import NormStats
from core.audio.resample import StreamingResampler, resample

CFG = FbankConfig()


@pytest.mark.parametrize("rate", [8000, 22050, 44100, 48000])
def test_resample_keeps_a_tone_and_the_duration(rate):
    t = np.arange(rate) / rate
    x = np.sin(2 * np.pi * 440 * t).astype(np.float32)
    y = resample(x, rate, 16000)
    assert y.shape == (16000,)
    ref = np.sin(2 * np.pi * 440 * np.arange(16000) / 16000)
    assert np.abs(y[200:-200] - ref[200:-200]).max() < 1e-3


def test_resample_removes_content_above_the_new_nyquist():
    t = np.arange(48000) / 48000
    y = resample(np.sin(2 * np.pi * 12000 * t).astype(np.float32), 48000, 16000)  # would alias to 4 kHz
    assert np.abs(y[200:-200]).max() < 0.01


@settings(max_examples=15, deadline=None)
@given(
    sizes=st.lists(st.integers(min_value=1, max_value=5000), min_size=1, max_size=20),
    rate=st.sampled_from([44100, 48000, 8000]),
)
def test_streaming_resampler_equals_whole_signal(sizes, rate):
    x = np.random.default_rng(1).standard_normal(rate // 2).astype(np.float32)
    whole = resample(x, rate, 16000)
    r = StreamingResampler(rate, 16000)
    parts, i, k = [], 0, 0
    while i < len(x):
        parts.append(r.push(x[i : i + sizes[k % len(sizes)]]))
        i += sizes[k % len(sizes)]
        k += 1
    parts.append(r.flush())
    np.testing.assert_allclose(np.concatenate(parts), whole, atol=1e-4)


def test_pairs_at_25fps_are_two_frames_per_video_frame():
    assert list(pair_start(np.arange(4), 25, CFG)) == [-1, 1, 3, 5]
    assert frames_needed(3, 25, CFG) == 7
    feats = np.arange(20, dtype=np.float32)[:, None].repeat(2, axis=1)
    pairs = clip_pairs(feats, n_frames=8, fps=25, cfg=CFG, lookahead=2)
    assert pairs.shape == (10, 4)
    assert list(pairs[0, [0, 2]]) == [0, 0]  # clamped at the start
    assert list(pairs[3, [0, 2]]) == [5, 6]
    assert list(pairs[9, [0, 2]]) == [17, 18]
    short = clip_pairs(feats[:5], n_frames=8, fps=25, cfg=CFG, lookahead=0)
    assert short[-1, 0] == 4 and short[-1, 2] == 4  # clamped at the end


@pytest.mark.parametrize("fps", [22.13, 25.0, 30.0, 60.0])
def test_pair_centres_follow_video_frame_times(fps):
    j = np.arange(200)
    i0 = pair_start(j, fps, CFG)
    centre_feat = (i0 + 0.5) * CFG.frame_shift_ms + CFG.frame_length_ms / 2
    centre_video = (j + 0.5) * 1000 / fps
    assert np.abs(centre_feat - centre_video).max() <= CFG.frame_shift_ms / 2 + 1e-6
    assert video_frames_for(16000, fps, 16000) == int(np.ceil(fps - 1e-9))


def test_norm_stats_normalise_pairs_and_round_trip():
    rng = np.random.default_rng(0)
    feats = rng.normal(5.0, 3.0, size=(500, 80)).astype(np.float32)
    feats[:, 7] = 1.0  # a constant bin must not blow up
    stats = NormStats.fit([feats[:200], feats[200:]])
    z = stats.apply(np.concatenate([feats, feats], axis=1))
    assert np.abs(z[:, :80].mean(axis=0)).max() < 1e-4
    assert np.allclose(z[:, 80:], z[:, :80])
    assert np.isfinite(z).all()
    again = NormStats.from_dict(stats.to_dict())
    np.testing.assert_array_equal(again.mean, stats.mean)
    assert again.frames == 500
