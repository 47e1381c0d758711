"""The preview's thumbnails: cut from the tracker's smaller copy of a big frame, as from the frame."""

from __future__ import annotations

import cv2
import numpy as np

from core.face.preview import TILE, ThumbnailSampler
from core.face.tracker import tracking_input


def smooth_frame(width: int, height: int) -> np.ndarray:
    """An RGB frame with detail at every scale a thumbnail keeps (gradients and soft discs)."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    img = np.stack([x / width * 255, y / height * 255, 128 + 100 * np.sin(x / 97.0) * np.cos(y / 61.0)], -1)
    for cx, cy, r in ((0.3, 0.4, 0.08), (0.6, 0.5, 0.12), (0.5, 0.8, 0.05)):
        img[(x - cx * width) ** 2 + (y - cy * height) ** 2 < (r * width) ** 2] = (250, 40, 90)
    return cv2.GaussianBlur(np.clip(img, 0, 255).astype(np.uint8), (0, 0), 3)


def test_a_4k_thumbnail_from_the_trackers_copy_matches_one_from_the_frame() -> None:
    frame = smooth_frame(3840, 2160)
    small, _ = tracking_input(frame, 1280)
    direct, via_copy = ThumbnailSampler(10), ThumbnailSampler(10)
    direct.offer(0, frame, rgb=True)
    via_copy.offer(0, small, rgb=True, full_size=(3840, 2160))
    a, b = direct.frames[0], via_copy.frames[0]
    assert a.shape == b.shape == (TILE, round(3840 * TILE / 2160), 3)
    assert via_copy.scale == direct.scale == TILE / 2160  # landmarks in frame pixels map the same way
    assert np.abs(a.astype(int) - b.astype(int)).mean() < 0.5
    assert np.abs(a.astype(int) - b.astype(int)).max() <= 6


def test_a_frame_no_taller_than_a_tile_is_kept_as_it_is() -> None:
    frame = smooth_frame(400, 240)
    sampler = ThumbnailSampler(1)
    sampler.offer(0, frame, rgb=True)
    assert sampler.scale == 1.0
    assert np.array_equal(sampler.frames[0], cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))


def test_frames_off_the_stride_are_not_kept() -> None:
    sampler = ThumbnailSampler(400)  # about MAX_THUMBNAILS of 400 frames: every 5th
    for i in range(10):
        sampler.offer(i, smooth_frame(64, 48))
    assert sorted(sampler.frames) == [0, 5]
