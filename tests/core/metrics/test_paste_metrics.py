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


def _whole_frame_reference(pasted, source, alphas, band=(0.02, 0.98)) -> dict[str, float]:
    """The module's figures computed over whole frames (the definition, written plainly)."""
    from core.metrics.paste import _gradient, _low_pass

    shift = gp = gs = added = cp = cs = 0.0
    count, prev = 0, None
    for out, src, a in zip(pasted, source, alphas, strict=True):
        m = (a > band[0]) & (a < band[1])
        p, s = _low_pass(out), _low_pass(src)
        shift += float(np.abs((p[m] - s[m]).mean(axis=0)).max())
        gp, gs = gp + float(_gradient(p)[m].sum()), gs + float(_gradient(s)[m].sum())
        if prev is not None:
            both = m & prev[2]
            dp, ds = p[both] - prev[0][both], s[both] - prev[1][both]
            added, count = added + float(np.abs(dp - ds).sum()), count + dp.size
            cp, cs = cp + float(np.abs(dp).sum()), cs + float(np.abs(ds).sum())
        prev = (p, s, m)
    n = len(pasted)
    return {
        "paste_flicker": added / max(count, 1),
        "paste_flicker_ratio": cp / cs,
        "paste_color_shift": shift / n,
        "paste_seam_ratio": gp / gs,
    }


def test_a_band_in_a_large_frame_is_measured_on_its_box_with_the_same_figures():
    """A 4K render spent 2 s a frame (three quarters of its time) blurring and differentiating
    whole frames for a band of a few hundred pixels. Measured on the band's box grown by PAD, the
    figures are those of the whole frame, for a box that moves, one at the frame's edge and one
    that leaves the previous box entirely; the memory is the box's, not the frame's."""
    import tracemalloc

    rng = np.random.default_rng(1)
    h, w, n = 360, 640, 5
    scene = cv2_smooth(rng.uniform(40, 220, (h, w + n * 3, 3)).astype(np.float32))
    source = [np.ascontiguousarray(scene[:, 3 * t : 3 * t + w]) for t in range(n)]
    pasted, alphas = [], []
    for t, (cy, cx) in enumerate([(180, 300), (184, 306), (10, 630), (12, 632), (300, 40)]):
        a = np.zeros((h, w), np.float32)
        ys, xs = np.mgrid[:h, :w]
        r = np.maximum(np.abs(ys - cy), np.abs(xs - cx))
        a[:] = np.clip((40 - r) / 8.0, 0, 1)  # a feathered 80 px box, cut by the frame at its edge
        alphas.append(a)
        tint = np.array([0, 3.0 * t, 10], np.float32)
        pasted.append(source[t] * (1 - a[..., None]) + (source[t] + tint) * a[..., None])
    acc = PasteFidelity()
    for p, s, a in zip(pasted, source, alphas, strict=True):
        acc.add(p, s, a)
    want = _whole_frame_reference(pasted, source, alphas)
    for name, value in acc.result().items():
        assert value == pytest.approx(want[name], rel=1e-5), name

    frame = np.full((2160, 3840, 3), 128, np.uint8)
    a = np.zeros((2160, 3840), np.float32)
    a[1000:1100, 1900:2000] = 0.5
    acc = PasteFidelity()
    acc.add(frame, frame, a)
    tracemalloc.start()
    try:
        acc.add(frame, frame, a)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20e6, peak  # the whole frame as float32 is 100 MB, its alpha mask 8 MB


def cv2_smooth(x: np.ndarray) -> np.ndarray:
    import cv2

    return cv2.GaussianBlur(x, (0, 0), 1.5)
