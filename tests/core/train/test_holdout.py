"""The one minimum clip length: what prepare refuses below is what the trainers refuse below."""

from __future__ import annotations

import numpy as np
import pytest

from core.gaussians.train.data import select_frames
from core.jobs.errors import BadInput
from core.train.holdout import (
    DEFAULT_HOLDOUT,
    MIN_HELD_OUT_FRAMES,
    MIN_TRAIN_FRAMES,
    min_clip_frames,
    train_count,
)


@pytest.mark.parametrize("holdout", [0.05, DEFAULT_HOLDOUT, 0.5])
def test_the_minimum_is_the_shortest_clip_that_splits(holdout):
    need = min_clip_frames(holdout)
    n_train = train_count(need, holdout)
    assert n_train >= MIN_TRAIN_FRAMES and need - n_train >= MIN_HELD_OUT_FRAMES
    shorter = train_count(need - 1, holdout)
    assert shorter < MIN_TRAIN_FRAMES or need - 1 - shorter < MIN_HELD_OUT_FRAMES


def test_the_gaussian_trainer_refuses_exactly_below_it():
    need = min_clip_frames(DEFAULT_HOLDOUT)
    frames, n_train = select_frames(np.ones(need, bool), 0, DEFAULT_HOLDOUT)
    assert len(frames) == need and n_train == train_count(need, DEFAULT_HOLDOUT)
    with pytest.raises(BadInput, match=f"at least {need} "):
        select_frames(np.ones(need - 1, bool), 0, DEFAULT_HOLDOUT)
