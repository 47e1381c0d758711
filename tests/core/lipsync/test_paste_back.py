"""Paste-back: exact outside the mouth mask, seamless colour, ping-pong coverage."""

from __future__ import annotations

import numpy as np

from core.face.crops import cut_crop
from core.lipsync.geometry import crop_geometry
from core.lipsync.paste_back import PasteSettings, mouth_alpha, paste_mouth
from core.lipsync.source_loop import ping_pong


def _frame(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (180, 200, 3), dtype=np.uint8)


def test_pixels_outside_the_mouth_mask_are_unchanged() -> None:
    g = crop_geometry(64)
    frame = _frame()
    box = np.array([40.3, 12.7, 40.3 + 80 * 1.1, 12.7 + 104 * 1.1])
    render = np.random.default_rng(1).random((*g.crop_size, 3)).astype(np.float32)
    out, alpha = paste_mouth(frame, render, box, g)
    outside = alpha == 0
    assert outside.any() and (~outside).any()
    np.testing.assert_array_equal(out[outside], frame[outside])
    assert np.abs(out[~outside].astype(int) - frame[~outside]).mean() > 10  # the mouth did change
    # the mask lies inside the mouth box mapped to the frame (plus one pixel of interpolation)
    ys, xs = np.nonzero(alpha)
    sx = (box[2] - box[0]) / g.crop_width
    sy = (box[3] - box[1]) / g.crop_height
    assert xs.min() >= box[0] + g.mouth_left * sx - 1 and xs.max() <= box[0] + (g.mouth_left + 64) * sx + 1
    assert ys.min() >= box[1] + g.mouth_top * sy - 1 and ys.max() <= box[1] + (g.mouth_top + 64) * sy + 1


def test_mask_is_feathered_and_full_in_the_middle() -> None:
    g = crop_geometry(64)
    a = mouth_alpha(g, PasteSettings(feather=0.25))
    top, left, m, _ = g.mouth_box
    assert a[top + m // 2, left + m // 2] == 1.0
    assert a[:top].max() == 0 and a[:, :left].max() == 0
    row = a[top + m // 2, left : left + m // 2]
    assert np.all(np.diff(row) >= 0) and 0 < row[3] < 1  # a smooth ramp, not a step


def test_colour_matching_removes_a_brightness_shift() -> None:
    g = crop_geometry(64)
    frame = np.full((180, 200, 3), 120, np.uint8)
    frame[..., 1] = 90
    box = np.array([30.0, 10.0, 30.0 + 80 * 1.5, 10.0 + 104 * 1.5])
    crop = cut_crop(frame, box, g.crop_size)[..., ::-1].astype(np.float32) / 255.0
    shifted = np.clip(crop * 1.2 + 0.05, 0, 1)
    matched, _ = paste_mouth(frame, shifted, box, g, PasteSettings(color_match=True))
    raw, _ = paste_mouth(frame, shifted, box, g, PasteSettings(color_match=False))
    assert np.abs(matched.astype(int) - frame).max() <= 1
    assert np.abs(raw.astype(int) - frame).max() > 20


def test_ping_pong_loops_forward_and_backward() -> None:
    np.testing.assert_array_equal(ping_pong(4, 10), [0, 1, 2, 3, 2, 1, 0, 1, 2, 3])
    assert ping_pong(1, 3).tolist() == [0, 0, 0]
    idx = ping_pong(7, 100)
    assert idx.min() == 0 and idx.max() == 6 and np.all(np.abs(np.diff(idx)) == 1)
