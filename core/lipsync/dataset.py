"""Training and held-out samples for the lip-sync renderer, from prepared clips.

One sample (mouth size M, crop H x W = CropGeometry(M).crop_size, T consecutive frames):
  source      [T, 4, H, W]  the target crops with the mouth box zeroed + their mouth shape maps
                            (drawn from the tracked landmarks)
  references  [R, 4, H, W]  R (= 5) other frames of the same clip + their shape maps, one from
                            each mouth-openness quintile of the training frames, so the network
                            always sees the mouth closed, half open and wide open
  target      [T, 3, H, W]  the real crops
T = 1 unless the temporal loss is on. Values are float32 in [0, 1], RGB. Source and
references are augmented (blur, noise, brightness); targets never are.

The last `holdout` fraction of each clip is never trained on. Sampling is a pure function of
(seed, step, rank), so a resumed run draws exactly the batches it would have drawn.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import torch

from core.face.clip_quality import LIPSYNC_EDGE_FIX
from core.face.mouth_metrics import mouth_opening, reference_frames
from core.face.prepared import PreparedClip
from core.jobs.errors import BadInput
from core.jobs.message import Text
from core.lipsync.augmentation import augment, augment_rgb_
from core.lipsync.config import AugmentationConfig
from core.lipsync.face_crops import face_crops, shape_map
from core.lipsync.geometry import CropGeometry, crop_geometry

NUM_BINS = 5
EXCLUDE_NEAR = 2  # references are not drawn within this many frames of the target


@dataclass
class Batch:
    source: torch.Tensor  # [B, T, 4, H, W]
    references: torch.Tensor  # [B, R, 4, H, W]
    target: torch.Tensor  # [B, T, 3, H, W]
    frames: np.ndarray  # [B, T] frame index in its clip
    clips: np.ndarray  # [B] clip index

    def to(self, device: torch.device) -> Batch:
        return Batch(
            self.source.to(device),
            self.references.to(device),
            self.target.to(device),
            self.frames,
            self.clips,
        )


@dataclass
class ClipSplit:
    """One clip's frames: usable training starts, held-out frames, openness bins."""

    clip: PreparedClip
    train: np.ndarray  # usable frame ids in the training part
    held_out: np.ndarray  # usable frame ids in the held-out part
    bins: list[np.ndarray]  # training frame ids per openness quintile (closed -> open)
    opening: np.ndarray  # [N] mouth opening per frame


def usable_frames(clip: PreparedClip) -> np.ndarray:
    """Frames with a tracked face whose crop lies inside the image."""
    ok = clip.valid.copy()
    out = clip.manifest.get("quality", {}).get("crop_out_of_frame")
    if out is not None and len(out) == clip.frame_count:
        ok &= ~np.asarray(out, bool)
    return ok


def split_clip(clip: PreparedClip, holdout: float = 0.2) -> ClipSplit:
    n = clip.frame_count
    cut = int(np.floor(n * (1.0 - holdout)))
    ok = usable_frames(clip)
    frames = np.arange(n)
    train = frames[(frames < cut) & ok]
    held = frames[(frames >= cut) & ok]
    if len(train) < 2 * NUM_BINS:
        edge = int((clip.valid[:cut] & ~ok[:cut]).sum())  # tracked, but the crop leaves the image
        why = (
            Text(
                " ({edge} tracked frames are left out because their face crop reaches past the frame's "
                "edge: {fix})",
                edge=edge,
                fix=LIPSYNC_EDGE_FIX,
            )
            if edge
            else Text("; use a longer video with the face visible throughout.")
        )
        raise BadInput(
            Text(
                "clip '{clip_name}' has only {n_train} usable training frames (need at least {need}){why}",
                clip_name=clip.name,
                n_train=len(train),
                need=2 * NUM_BINS,
                why=why,
            )
        )
    opening = mouth_opening(clip.landmarks)
    order = train[np.argsort(opening[train], kind="stable")]
    bins = [b for b in np.array_split(order, NUM_BINS)]
    return ClipSplit(clip, train, held, bins, opening)


def fixed_references(split: ClipSplit) -> np.ndarray:
    """The inference references: per openness quintile of the training frames, the bin's median
    (the one picker, `core.face.mouth_metrics.reference_frames`)."""
    train = np.zeros(split.clip.frame_count, bool)
    train[split.train] = True
    return reference_frames(split.opening, train, NUM_BINS)


def step_rng(seed: int, step: int, rank: int = 0) -> np.random.Generator:
    return np.random.default_rng([int(seed), int(step), int(rank)])


class LipSyncDataset:
    """Samples batches from one or more prepared clips at any mouth size (crops cached per size)."""

    def __init__(
        self,
        clips: list[PreparedClip],
        holdout: float = 0.2,
        clip_frames: int = 1,
        augmentation: AugmentationConfig | None = None,
        num_references: int = NUM_BINS,
    ) -> None:
        if not clips:
            raise BadInput(Text("lip-sync training needs at least one prepared clip."))
        if num_references != NUM_BINS:
            raise BadInput(
                Text(
                    "the lip-sync dataset draws {num_bins} references (one per openness quintile); "
                    "set model.num_references = {num_bins}.",
                    num_bins=NUM_BINS,
                )
            )
        self.splits = [split_clip(c, holdout) for c in clips]
        self.clip_frames = int(clip_frames)
        self.augmentation = augmentation
        self._crops: dict[tuple[int, int], np.ndarray] = {}
        self._maps: dict[tuple[int, int], np.ndarray] = {}
        self._cache_lock = threading.Lock()  # a prefetching thread and the trainer fill it alike
        self.starts = self._starts()
        if not len(self.starts):
            raise BadInput(
                Text(
                    "no run of {clip_frames} consecutive usable training frames in any clip; lower "
                    "train.clip_frames or use a clip with fewer tracking gaps.",
                    clip_frames=self.clip_frames,
                )
            )

    def _starts(self) -> np.ndarray:
        rows = []
        t = self.clip_frames
        for ci, s in enumerate(self.splits):
            train = set(s.train.tolist())
            for f in s.train:
                if all(f + k in train for k in range(t)):
                    rows.append((ci, f))
        return np.array(rows, np.int64).reshape(-1, 2)

    def __len__(self) -> int:
        """Training samples per epoch."""
        return len(self.starts)

    # -- cached crops and shape maps ------------------------------------------------------------
    def crops(self, clip: int, geometry: CropGeometry) -> np.ndarray:
        """RGB uint8 [N, H, W, 3] crops of every frame of a clip at this geometry (decoded once)."""
        key = (clip, geometry.mouth_size)
        with self._cache_lock:
            if key not in self._crops:
                self._crops[key] = face_crops(self.splits[clip].clip, geometry)
            return self._crops[key]

    def shape_maps(self, clip: int, geometry: CropGeometry) -> np.ndarray:
        key = (clip, geometry.mouth_size)
        with self._cache_lock:
            if key not in self._maps:
                c = self.splits[clip].clip
                self._maps[key] = np.stack(
                    [shape_map(c.landmarks[i], c.face_boxes[i], geometry) for i in range(c.frame_count)]
                ).astype(np.float32)
            return self._maps[key]

    def frame_tensors(
        self, clip: int, frames: np.ndarray, geometry: CropGeometry
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """(rgb [n, 3, H, W], shape map [n, 1, H, W]) float32 in [0, 1]."""
        rgb = torch.from_numpy(self.crops(clip, geometry)[frames]).permute(0, 3, 1, 2).float() / 255.0
        maps = torch.from_numpy(self.shape_maps(clip, geometry)[frames]).unsqueeze(1)
        return rgb, maps

    # -- samples --------------------------------------------------------------------------------
    def draw_references(self, clip: int, target: int, rng: np.random.Generator) -> np.ndarray:
        out = []
        for b in self.splits[clip].bins:
            far = b[np.abs(b - target) > EXCLUDE_NEAR]
            pool = far if len(far) else b
            out.append(int(pool[rng.integers(len(pool))]))
        return np.array(out, np.int64)

    def make_sample(
        self,
        clip: int,
        frames: np.ndarray,
        refs: np.ndarray,
        geometry: CropGeometry,
        generator: torch.Generator | None,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(source [T, 4, H, W], references [R, 4, H, W], target [T, 3, H, W])."""
        rgb, maps = self.frame_tensors(clip, frames, geometry)
        ref_rgb, ref_maps = self.frame_tensors(clip, refs, geometry)
        source = torch.cat([geometry.mask_mouth(rgb), maps], dim=1)
        references = torch.cat([ref_rgb, ref_maps], dim=1)
        if self.augmentation is not None and generator is not None:
            source = augment(source, self.augmentation, generator)
            references = augment(references, self.augmentation, generator)
            source = torch.cat([geometry.mask_mouth(source[:, :3]), source[:, 3:]], dim=1)
        return source, references, rgb

    def sample(self, batch_size: int, mouth_size: int, seed: int, step: int, rank: int = 0) -> Batch:
        """The training batch of `step` (deterministic in seed, step and rank).

        Built for the whole batch at once: the crops are gathered as uint8, converted once and
        augmented in one call per input; images come out channels-last in memory (the crops'
        HWC layout, no conversion)."""
        geometry = crop_geometry(mouth_size)
        rng = step_rng(seed, step, rank)
        gen = torch.Generator().manual_seed(int(rng.integers(2**62)))
        picks = self.starts[rng.integers(len(self.starts), size=batch_size)]
        frames = np.stack([np.arange(start, start + self.clip_frames) for _, start in picks])
        refs = np.stack([self.draw_references(int(ci), int(start), rng) for ci, start in picks])
        clips = picks[:, 0]
        rgb, maps = self._gather(clips, frames, geometry)
        ref_rgb, ref_maps = self._gather(clips, refs, geometry)
        masked = rgb.clone(memory_format=torch.channels_last)
        _zero_mouth(masked, geometry)
        if self.augmentation is not None:  # masked first, so the blur never spreads the mouth out
            augment_rgb_(masked, self.augmentation, gen)
            augment_rgb_(ref_rgb, self.augmentation, gen)
            _zero_mouth(masked, geometry)
        b, t, r = batch_size, self.clip_frames, refs.shape[1]
        return Batch(
            _with_maps(masked, maps, (b, t)),
            _with_maps(ref_rgb, ref_maps, (b, r)),
            rgb.view(b, t, *rgb.shape[1:]),
            frames,
            clips.copy(),
        )

    def _gather(
        self, clips: np.ndarray, frames: np.ndarray, geometry: CropGeometry
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """(rgb [B*K, 3, H, W] channels-last, shape maps [B*K, 1, H, W]) float32 in [0, 1] of
        frames [B, K] of clips [B]."""
        pairs = list(zip(clips.tolist(), frames, strict=True))
        rgb = np.concatenate([self.crops(c, geometry)[f] for c, f in pairs])
        maps = np.concatenate([self.shape_maps(c, geometry)[f] for c, f in pairs])
        images = torch.from_numpy(rgb).permute(0, 3, 1, 2).float().div_(255.0)  # HWC memory: channels-last
        return images, torch.from_numpy(maps).unsqueeze(1)

    def held_out_batches(self, mouth_size: int, batch_size: int = 8, limit: int | None = None):
        """Yield (clip index, Batch) over held-out frames (T = 1), fixed references, no augmentation."""
        geometry = crop_geometry(mouth_size)
        for ci, s in enumerate(self.splits):
            frames = s.held_out if limit is None else s.held_out[:limit]
            refs = fixed_references(s)
            for i in range(0, len(frames), batch_size):
                chunk = frames[i : i + batch_size]
                parts = [self.make_sample(ci, np.array([f]), refs, geometry, None) for f in chunk]
                yield (
                    ci,
                    Batch(
                        torch.stack([p[0] for p in parts]),
                        torch.stack([p[1] for p in parts]),
                        torch.stack([p[2] for p in parts]),
                        chunk[:, None],
                        np.full(len(chunk), ci),
                    ),
                )


def _zero_mouth(rgb: torch.Tensor, geometry: CropGeometry) -> None:
    """Zero the mouth box of crops [..., H, W] in place (`CropGeometry.mask_mouth` without the copy)."""
    ys, xs = geometry.mouth_slices()
    rgb[..., ys, xs] = 0


def _with_maps(rgb: torch.Tensor, maps: torch.Tensor, lead: tuple[int, int]) -> torch.Tensor:
    """[B, K, 4, H, W]: RGB crops [B*K, 3, H, W] and their shape maps, in one copy, laid out
    [B, H, W, K, 4] in memory so that flattening K and the channels gives a channels-last
    [B, K*4, H, W] without another copy (what the reference encoder reads)."""
    (b, k), (h, w) = lead, rgb.shape[-2:]
    out = torch.empty(b, h, w, k, 4, dtype=rgb.dtype)
    out[..., :3] = rgb.view(b, k, 3, h, w).permute(0, 3, 4, 1, 2)
    out[..., 3:] = maps.view(b, k, 1, h, w).permute(0, 3, 4, 1, 2)
    return out.permute(0, 3, 4, 1, 2)
