"""Paste-back fidelity: zero for a perfect paste, and each defect raises its own figure."""

from __future__ import annotations

import numpy as np
import pytest

from core.metrics.paste import PasteFidelity, paste_fidelity


def _scene(n: int = 6, size: int = 64):
    """Moving textured frames, and a feathered box alpha (a ramp 8 px wide) in their middle."""
    rng = np.random.default_rng(0)
    texture = rng.uniform(60, 200, (size, 2 * size, 3)).astype(np.float32)
    texture = (texture + np.roll(texture, 1, 0) + np.roll(texture, 1, 1)) / 3  # some smoothness
    frames = [texture[:, t : t + size].copy() for t in range(n)]  # the scene pans 1 px a frame
    ramp = np.clip(np.minimum(np.arange(size) - 16, 48 - np.arange(size)) / 8.0, 0, 1)
    alpha = np.outer(ramp, ramp).astype(np.float32)
    return frames, [alpha] * n


def _paste(frames, alphas, renders):
    return [
        f * (1 - a[..., None]) + r * a[..., None] for f, a, r in zip(frames, alphas, renders, strict=True)
    ]


def test_a_perfect_paste_scores_zero_flicker_and_shift_and_unit_ratios():
    frames, alphas = _scene()
    got = paste_fidelity(frames, frames, alphas)
    assert got["paste_flicker"] == 0.0 and got["paste_color_shift"] == 0.0
    assert got["paste_flicker_ratio"] == pytest.approx(1.0) and got["paste_seam_ratio"] == pytest.approx(1.0)


def test_a_constant_tint_is_a_colour_shift_not_flicker():
    frames, alphas = _scene()
    pasted = _paste(frames, alphas, [f + np.array([0, 0, 20], np.float32) for f in frames])
    got = paste_fidelity(pasted, frames, alphas)
    assert got["paste_flicker"] == pytest.approx(0.0, abs=1e-3)
    assert 5.0 < got["paste_color_shift"] < 20.0  # the band blends 0..20 levels, the mean in between


def test_a_correction_that_jumps_between_frames_is_flicker():
    frames, alphas = _scene()
    renders = [f + (8.0 if t % 2 else -8.0) for t, f in enumerate(frames)]  # brightness boils
    got = paste_fidelity(_paste(frames, alphas, renders), frames, alphas)
    steady = paste_fidelity(_paste(frames, alphas, [f + 8.0 for f in frames]), frames, alphas)
    assert got["paste_flicker"] > 3.0 and steady["paste_flicker"] < 1e-3
    assert got["paste_flicker_ratio"] > steady["paste_flicker_ratio"]


def test_a_hard_edged_mismatched_paste_is_a_seam():
    frames, alphas = _scene()
    hard = [(a > 0.5).astype(np.float32) for a in alphas]
    pasted = _paste(frames, hard, [f * 0.8 for f in frames])  # darker render, no feather
    got = paste_fidelity(pasted, frames, alphas)  # measured over the band of the real mask
    feathered = paste_fidelity(_paste(frames, alphas, [f * 0.8 for f in frames]), frames, alphas)
    assert got["paste_seam_ratio"] > 1.2 and got["paste_seam_ratio"] > feathered["paste_seam_ratio"]


def test_streaming_equals_the_whole_and_bad_input_is_refused():
    frames, alphas = _scene()
    renders = [f + 3.0 * t for t, f in enumerate(frames)]
    pasted = _paste(frames, alphas, renders)
    acc = PasteFidelity()
    for p, s, a in zip(pasted, frames, alphas, strict=True):
        acc.add(p, s, a)
    assert acc.result() == paste_fidelity(pasted, frames, alphas)
    with pytest.raises(ValueError, match="2 consecutive"):
        paste_fidelity(frames[:1], frames[:1], alphas[:1])
    with pytest.raises(ValueError, match="no blend band"):
        paste_fidelity(frames[:2], frames[:2], [np.zeros((64, 64), np.float32)] * 2)
