"""Pearson r and landmark distance against values worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.metrics.correlation import pearson
from core.metrics.landmarks import landmark_distance


def test_pearson_known_values():
    a = np.array([1.0, 2.0, 3.0, 4.0])
    assert pearson(a, 2 * a + 1) == pytest.approx(1.0)
    assert pearson(a, -a) == pytest.approx(-1.0)
    assert pearson([1.0, 2.0, 3.0], [1.0, 3.0, 2.0]) == pytest.approx(0.5)


def test_pearson_skips_non_finite_entries_and_is_nan_when_undefined():
    assert pearson([1.0, np.nan, 2.0, 3.0, 4.0], [2.0, 5.0, 4.0, 6.0, np.inf]) == pytest.approx(1.0)
    assert math.isnan(pearson([1.0, 1.0, 1.0], [1.0, 2.0, 3.0]))  # constant
    assert math.isnan(pearson([1.0, 2.0], [2.0, 1.0]))  # too short


def test_landmark_distance_per_frame_in_track_units():
    true = np.zeros((3, 5, 3))
    pred = true.copy()
    pred[..., 0] += 3.0
    pred[..., 1] += 4.0
    pred[..., 2] += 100.0  # depth is not compared
    pred[1, 2, :2] = [6.0, 8.0]  # one point twice as far in frame 1
    np.testing.assert_allclose(landmark_distance(pred, true), [5.0, 6.0, 5.0])
    np.testing.assert_allclose(landmark_distance(pred, true, np.array([0, 2])), [5.0, 7.5, 5.0])
    true[2, 0] = np.nan  # a frame the tracker lost
    assert np.isnan(landmark_distance(pred, true)[2])
