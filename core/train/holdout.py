"""The train / held-out split of a clip's frames, and the fewest frames any avatar trains from.

Every trainer learns from the first part of a clip and scores itself on its last ``holdout``
fraction (never trained on). A clip that cannot give ``MIN_TRAIN_FRAMES`` training frames and
``MIN_HELD_OUT_FRAMES`` held-out frames trains no avatar at all, so prepare refuses it at the
default hold-out (the message comes before any training run). Families may need more (the
lip-sync renderer wants frames in every mouth-openness bin); they say so when training starts.
"""

from __future__ import annotations

import math

from core.jobs.message import Text

DEFAULT_HOLDOUT = 0.2  # the training configs' default hold-out fraction
MIN_TRAIN_FRAMES = 2
MIN_HELD_OUT_FRAMES = 1


def train_count(frames: int, holdout: float) -> int:
    """How many of ``frames`` are training frames (the rest are held out)."""
    return int(math.floor(frames * (1.0 - holdout)))


def can_split(frames: int, holdout: float) -> bool:
    """Whether ``frames`` give at least the minimum training and held-out frames."""
    n_train = train_count(frames, holdout)
    return n_train >= MIN_TRAIN_FRAMES and frames - n_train >= MIN_HELD_OUT_FRAMES


def min_clip_frames(holdout: float = DEFAULT_HOLDOUT) -> int:
    """The fewest frames a clip needs for any training at this hold-out fraction."""
    n = MIN_TRAIN_FRAMES + MIN_HELD_OUT_FRAMES
    while not can_split(n, holdout):
        n += 1
    return n


def frames_needed(holdout: float = DEFAULT_HOLDOUT) -> str:
    """The minimum in words: 'at least 3 frames: 2 to train and 1 held out at a 20% hold-out'."""
    return Text(
        "at least {n} frames: {train} to train and {held} held out at a {holdout:.0%} hold-out",
        n=min_clip_frames(holdout),
        train=MIN_TRAIN_FRAMES,
        held=MIN_HELD_OUT_FRAMES,
        holdout=holdout,
    )
