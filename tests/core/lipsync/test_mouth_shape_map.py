"""The mouth shape map drawn from lip polygons and from MediaPipe landmarks."""

from __future__ import annotations

import numpy as np
import pytest

from core.face.topology import LIPS_INNER, LIPS_OUTER
from core.lipsync.geometry import crop_geometry
from core.lipsync.mouth_shape_map import (
    INTERIOR,
    LIP,
    TEETH,
    ShapeMapStyle,
    draw_mouth_shape_map,
    shape_map_from_landmarks,
)


def _ellipse(cx: float, cy: float, rx: float, ry: float, n: int) -> np.ndarray:
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    return np.stack([cx + rx * np.cos(t), cy + ry * np.sin(t)], axis=1)


def _area(poly: np.ndarray) -> float:
    x, y = poly[:, 0], poly[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def test_regions_have_their_values() -> None:
    g = crop_geometry(64)  # crop 104 x 80, mouth box rows 32..96, cols 8..72
    outer = _ellipse(40, 64, 26, 16, 20)
    inner = _ellipse(40, 64, 16, 8, 20)
    m = draw_mouth_shape_map(outer, inner, g)
    assert m.shape == (104, 80) and m.dtype == np.float32
    assert m.min() >= 0 and m.max() <= 1
    assert m[64, 40] == pytest.approx(INTERIOR)  # centre, below the teeth band
    assert m[58, 40] == pytest.approx(TEETH)  # upper part of the interior
    assert m[64, 19] == pytest.approx(LIP)  # between the contours, left
    assert m[52, 40] == pytest.approx(LIP)  # upper lip
    assert m[10, 10] == 0 and m[64, 3] == 0 and m[100, 40] == 0  # outside the lips
    # total intensity = value x polygon area (shoelace), anti-aliased edges included
    plain = draw_mouth_shape_map(outer, inner, g, ShapeMapStyle(teeth_fraction=0.0))
    a_out, a_in = _area(outer), _area(inner)
    expected = LIP * (a_out - a_in) + INTERIOR * a_in
    assert plain.sum() == pytest.approx(expected, rel=0.02)


def test_teeth_off_and_closed_mouth() -> None:
    outer = _ellipse(40, 64, 26, 16, 20)
    inner = _ellipse(40, 64, 16, 8, 20)
    no_teeth = draw_mouth_shape_map(outer, inner, (104, 80), ShapeMapStyle(teeth_fraction=0.0))
    teeth = draw_mouth_shape_map(outer, inner, (104, 80))
    assert no_teeth[58, 40] == pytest.approx(INTERIOR) and teeth[58, 40] == pytest.approx(TEETH)
    changed = np.argwhere(np.abs(teeth - no_teeth) > 1e-6)
    assert changed[:, 0].min() >= 56 and changed[:, 0].max() <= 62  # only the top of the interior
    closed = draw_mouth_shape_map(outer, _ellipse(40, 64, 16, 0.0, 20), (104, 80))
    assert (closed > 0.99).sum() > 0.9 * np.pi * 26 * 16  # nearly all lips, no interior
    # a wider-open inner contour makes a larger interior: the map follows the landmarks
    wide = draw_mouth_shape_map(outer, _ellipse(40, 64, 16, 12, 20), (104, 80))
    opened = draw_mouth_shape_map(outer, inner, (104, 80))
    assert (wide < 0.9).sum() > (opened < 0.9).sum()


def test_subpixel_motion_changes_the_map_smoothly() -> None:
    outer = _ellipse(40, 64, 26, 16, 20)
    inner = _ellipse(40, 64, 16, 8, 20)
    a = draw_mouth_shape_map(outer, inner, (104, 80))
    b = draw_mouth_shape_map(outer + np.array([0.25, 0.0]), inner + np.array([0.25, 0.0]), (104, 80))
    diff = np.abs(a - b)
    assert 0 < diff.max() < 0.5  # anti-aliased edges move by a fraction of a pixel


def test_bad_polygons() -> None:
    with pytest.raises(ValueError, match="outer"):
        draw_mouth_shape_map(np.zeros((2, 2)), np.zeros((5, 2)), (104, 80))
    with pytest.raises(ValueError, match="non-finite"):
        draw_mouth_shape_map(_ellipse(40, 64, 26, 16, 8), np.full((5, 2), np.nan), (104, 80))


def test_from_mediapipe_landmarks() -> None:
    g = crop_geometry(96)
    cx, cy = g.crop_width / 2, g.mouth_top + g.mouth_size / 2
    outer = _ellipse(cx, cy, 36, 22, len(LIPS_OUTER))
    inner = _ellipse(cx, cy, 24, 10, len(LIPS_INNER))
    lm = np.tile([[cx, 5.0, 0.0]], (478, 1))  # other points far from the mouth; z ignored
    lm[list(LIPS_OUTER), :2] = outer
    lm[list(LIPS_INNER), :2] = inner
    m = shape_map_from_landmarks(lm, g)
    np.testing.assert_array_equal(m, draw_mouth_shape_map(outer, inner, g))
    assert m.shape == g.crop_size
    assert m[int(cy) + 3, int(cx)] == pytest.approx(INTERIOR)
    with pytest.raises(ValueError, match="478"):
        shape_map_from_landmarks(lm[:100], g)
