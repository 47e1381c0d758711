"""The lip-sync dataset: shapes, masking, held-out split, reference spread, determinism."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from core.face.prepared import PreparedClip
from core.lipsync.config import AugmentationConfig
from core.lipsync.dataset import LipSyncDataset, fixed_references, split_clip
from core.lipsync.geometry import crop_geometry
from tests.core.lipsync.prepared_fixture import build_prepared_clip, tiny_project_root


@pytest.fixture(scope="module")
def clip_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_prepared_clip(tiny_project_root(tmp_path_factory))


@pytest.fixture(scope="module")
def clip(clip_dir: Path) -> PreparedClip:
    return PreparedClip.load(clip_dir)


def test_split_holds_out_the_last_fifth_and_bins_span_openness(clip: PreparedClip) -> None:
    s = split_clip(clip, 0.2)
    cut = int(clip.frame_count * 0.8)
    assert s.train.max() < cut <= s.held_out.min() and s.held_out.max() == clip.frame_count - 1
    means = [s.opening[b].mean() for b in s.bins]
    assert means == sorted(means) and means[-1] > means[0]
    refs = fixed_references(s)
    assert len(refs) == 5 and set(refs) <= set(s.train.tolist())


def test_sample_shapes_mask_and_determinism(clip: PreparedClip) -> None:
    data = LipSyncDataset([clip], augmentation=AugmentationConfig(blur_kernel=3, noise_sigma=3.0))
    b = data.sample(3, 64, seed=1, step=5)
    g = crop_geometry(64)
    h, w = g.crop_size
    assert b.source.shape == (3, 1, 4, h, w) and b.references.shape == (3, 5, 4, h, w)
    assert b.target.shape == (3, 1, 3, h, w)
    ys, xs = g.mouth_slices()
    assert b.source[..., :3, ys, xs].abs().max() == 0  # the mouth is hidden from the source
    assert b.target[..., ys, xs].std() > 0.01  # ... but not from the target
    assert b.source[..., 3, :, :].max() > 0.5  # the shape map is drawn
    assert b.frames.max() < int(clip.frame_count * 0.8)  # never a held-out frame
    again = data.sample(3, 64, seed=1, step=5)
    torch.testing.assert_close(again.source, b.source)
    other = data.sample(3, 64, seed=1, step=6)
    assert not torch.equal(other.target, b.target)
    assert float(b.source.min()) >= 0 and float(b.source.max()) <= 1


def test_training_batches_are_channels_last_and_match_the_unaugmented_crops(clip: PreparedClip) -> None:
    data = LipSyncDataset([clip])  # no augmentation: the batch is the cached crops, laid out
    b = data.sample(2, 64, seed=3, step=1)
    g = crop_geometry(64)
    source = b.source.flatten(0, 1)
    refs = b.references.flatten(1, 2)  # what the reference encoder reads: a view, channels-last
    assert refs.data_ptr() == b.references.data_ptr()
    assert source.is_contiguous(memory_format=torch.channels_last)
    assert refs.is_contiguous(memory_format=torch.channels_last)
    rgb, maps = data.frame_tensors(0, b.frames[:, 0], g)
    torch.testing.assert_close(b.target.flatten(0, 1), rgb)
    torch.testing.assert_close(source, torch.cat([g.mask_mouth(rgb), maps], dim=1))


def test_references_come_from_every_openness_bin(clip: PreparedClip) -> None:
    data = LipSyncDataset([clip])
    rng = np.random.default_rng(0)
    refs = data.draw_references(0, 10, rng)
    for r, bin_ in zip(refs, data.splits[0].bins, strict=True):
        assert r in bin_
    assert np.all(np.abs(refs - 10) > 2)


def test_temporal_clips_are_consecutive(clip: PreparedClip) -> None:
    data = LipSyncDataset([clip], clip_frames=4)
    b = data.sample(2, 64, seed=0, step=0)
    assert b.source.shape[:2] == (2, 4)
    assert np.all(np.diff(b.frames, axis=1) == 1)


def test_held_out_batches_cover_held_out_frames(clip: PreparedClip) -> None:
    data = LipSyncDataset([clip])
    got = np.concatenate([b.frames[:, 0] for _, b in data.held_out_batches(64, batch_size=5)])
    np.testing.assert_array_equal(got, data.splits[0].held_out)
