"""Timed IPA phonemes -> per-frame lip targets: closures close, open vowels open, pauses rest."""

from __future__ import annotations

import numpy as np

from core.mouth.prior.articulation import phone_targets, trajectory


def _frames(phones, end, fps=25.0):
    return trajectory(phones, end, int(end * fps), fps)


def test_open_vowel_opens_more_than_close_vowel_and_bilabial_closes():
    # "", then 200 ms each of a, m, i, u, then a pause
    phones = [("", 0.0), ("a", 0.2), ("m", 0.4), ("i", 0.6), ("u", 0.8), ("", 1.0)]
    t = _frames(phones, 1.4)
    at = lambda s: t[int(s * 25)]  # noqa: E731  (frame in the middle of a phone)
    assert at(0.3)[0] > 0.8 and at(0.7)[0] < 0.35 and at(0.9)[0] < 0.35
    assert at(0.5)[0] < 0.2  # m closes the lips
    assert at(0.7)[2] > 0.8 and at(0.9)[1] > 0.8  # i spreads, u rounds
    assert at(0.05).max() < 0.01 and at(1.3).max() < 0.01  # silence: closed and neutral
    assert t.shape == (35, 3) and np.isfinite(t).all()


def test_lingual_consonant_borrows_its_neighbours_and_diphthong_splits():
    segs = phone_targets([("t", 0.0), ("a", 0.1), ("k", 0.3), ("i", 0.4), ("aʊ", 0.6)], 1.0)
    t_open = segs[0][2][0]
    k = segs[2][2]
    assert 0.1 < t_open < 0.9 and 0.3 < k[0] < 0.7 and k[2] > 0.4  # k anticipates the spread of i
    assert len(segs) == 6 and segs[-2][2][0] > segs[-1][2][0]  # a then ʊ


def test_smoothing_is_continuous():
    phones = [("a", 0.0), ("p", 0.5), ("a", 0.6)]
    t = trajectory(phones, 1.2, 300, 250.0)  # 4 ms frames
    assert np.abs(np.diff(t[:, 0])).max() < 0.1
