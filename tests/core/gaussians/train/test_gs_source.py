"""The MediaPipe clip source: a prepared clip's frames become training crops without being held whole."""

from __future__ import annotations

import tracemalloc

import numpy as np

from core.face.prepared import PreparedClip
from core.gaussians.train.config import DataConfig
from core.gaussians.train.data import crop_frame, select_frames, square_crop
from core.gaussians.train.source import MediaPipeSource


def test_training_crops_are_cut_as_the_frames_stream_past(prepared_project):
    """load_data decoded every used frame at full size before cutting the crops: a few minutes of
    1080p (28 GB) could not train. The frames are cut as they decode; the crops are the same."""
    clip_dir = prepared_project / "prepared" / "demo"
    clip = PreparedClip.load(clip_dir)
    cfg = DataConfig(resolution=32)
    use, _ = select_frames(clip.valid, cfg.max_frames, cfg.holdout)
    frames = clip.read_frames([int(i) for i in use])
    crop = square_crop(clip.face_boxes[use], cfg.crop_margin, clip.width, clip.height)
    want = np.stack([crop_frame(f, crop, cfg.resolution)[..., ::-1] for f in frames])
    whole = frames.nbytes
    del frames

    tracemalloc.start()
    try:
        data = MediaPipeSource().load_data(clip_dir, cfg)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert np.array_equal(data.images.numpy(), want) and list(data.clip_frames) == list(use)
    assert len(use) > 20 and peak < whole / 2, (peak, whole)
