"""Training data for audio-to-mouth: prepared clips -> features, mouth targets and the 80/20 split.

A clip contributes its 16 kHz audio (filter banks), its tracked landmarks and validity,
and a per-frame pixel scale from the image to the mouth crop (for LMD at the crop scale).
The last `holdout` fraction of every clip's frames is never trained on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from core.audio.fbank import FbankConfig, compute_fbank
from core.audio.silence import is_silent, voiced_fraction
from core.jobs.errors import BadInput
from core.jobs.message import Text
from core.mouth.av_sync import AvOffset

if TYPE_CHECKING:
    from core.face.prepared import Timing

log = logging.getLogger(__name__)


@dataclass
class ClipData:
    name: str
    fps: float
    audio: np.ndarray  # [S] float32 16 kHz mono
    landmarks: np.ndarray  # [N, 478, 3] pixels
    valid: np.ndarray  # [N] bool
    crop_scale: np.ndarray  # [N] crop pixels per image pixel (1.0 when the clip has no crop boxes)
    # prepare's sound-vs-picture offset (`audio` is re-timed by it, or not: see load_prepared's timing)
    av_offset: AvOffset = field(default_factory=AvOffset)

    @property
    def n_frames(self) -> int:
        return int(self.landmarks.shape[0])

    def split(self, holdout: float) -> int:
        """First held-out frame index: frames [0, split) train, [split, N) are held out."""
        return int(np.floor(self.n_frames * (1.0 - holdout)))


def crop_scale_from_boxes(boxes: np.ndarray | None, n: int, crop_size: float | None) -> np.ndarray:
    """Boxes [N, 4] (x0, y0, x1, y1) image pixels, resized to `crop_size` -> scale [N]."""
    if boxes is None or crop_size is None or len(boxes) != n:
        return np.ones(n, np.float32)
    boxes = np.asarray(boxes, np.float64)
    side = np.maximum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1])
    scale = np.where(side > 1e-6, float(crop_size) / np.maximum(side, 1e-6), np.nan)
    fallback = np.nanmedian(scale) if np.isfinite(scale).any() else 1.0
    return np.where(np.isfinite(scale), scale, fallback).astype(np.float32)


def load_prepared(path: Path, timing: Timing = "retimed") -> ClipData:
    """Read a prepared clip folder (written by `dhstudio prepare`); its sound re-timed by the offset
    prepare measured (`PreparedClip.audio`), or with `timing` "file" as the file has it."""
    from core.face.prepared import PreparedClip

    clip = PreparedClip.load(path)
    if not clip.has_audio:
        raise BadInput(
            Text(
                "Prepared clip '{clip}' has no audio; audio-to-mouth needs speech. Choose clips "
                "with a sound track (see --clip) or re-import the video with audio.",
                clip=Path(path).name,
            )
        )
    boxes = getattr(clip, "mouth_boxes", None)
    crop = getattr(clip, "mouth_size", None)  # side of the square mouth crop, pixels
    n = int(clip.frame_count)
    return ClipData(
        Path(path).name,
        float(clip.fps),
        np.asarray(clip.audio(timing), np.float32),
        np.asarray(clip.landmarks, np.float32),
        np.asarray(clip.valid, bool),
        crop_scale_from_boxes(None if boxes is None else np.asarray(boxes), n, crop),
        clip.av_offset,
    )


def load_clips(paths: tuple[Path, ...] | list[Path], timing: Timing = "retimed") -> list[ClipData]:
    """Load every clip; refuse all clips without audio at once, naming each of them."""
    out, silent = [], []
    for p in paths:
        try:
            out.append(load_prepared(Path(p), timing))
        except BadInput as exc:
            if "has no audio" not in str(exc):
                raise
            silent.append(Path(p).name)
    if silent:
        raise BadInput(
            Text(
                "Clips without audio cannot train audio-to-mouth: {silent}. Leave them out with "
                "--clip NAME for each clip that has speech.",
                silent=", ".join(silent),
            )
        )
    return out


def drop_silent(clips: list[ClipData], fbank: FbankConfig) -> tuple[list[ClipData], list[str]]:
    """The clips with speech, and a message for each clip left out because its audio is (nearly) silent.

    A silent clip's moving mouth would teach the model to move the mouth in silence, so it is left out
    of training (and of the mouth space); when no clip has speech there is nothing to learn: BadInput.
    """
    keep, silent = [], []
    for c in clips:
        voiced = voiced_fraction(c.audio, fbank.shift_samples)
        if not is_silent(voiced):
            keep.append(c)
        else:
            silent.append(f"'{c.name}' is silent in {100 * (1 - voiced):.0f}% of frames")
    if not keep:
        raise BadInput(
            Text(
                "The audio of every clip is silent ({silent}): the audio-to-mouth model learns "
                "from speech. Prepare a video in which the speaker talks, with its sound track.",
                silent="; ".join(silent),
            )
        )
    messages = [f"clip {s}; left out, it would teach the mouth to move in silence" for s in silent]
    return keep, messages


@dataclass
class ClipFeatures:
    clip: ClipData
    features: np.ndarray  # [F, bins] raw log-mel
    split: int  # first held-out frame


def clip_features(
    clips: list[ClipData], fbank: FbankConfig, holdout: float, min_train: int
) -> list[ClipFeatures]:
    out = []
    for c in clips:
        split = c.split(holdout)
        if split < min_train or c.n_frames - split < 2:
            raise BadInput(
                Text(
                    "clip '{clip}' has {n_frames} frames; with {holdout:.0%} held out that leaves "
                    "{split} to train (need >= {min_train}). Use a longer clip.",
                    clip=c.name,
                    n_frames=c.n_frames,
                    holdout=holdout,
                    split=split,
                    min_train=min_train,
                )
            )
        feats = compute_fbank(c.audio, fbank)
        if feats.shape[0] == 0:
            raise BadInput(
                Text(
                    "clip '{clip}': audio shorter than one {frame_ms} ms analysis window",
                    clip=c.name,
                    frame_ms=fbank.frame_length_ms,
                )
            )
        out.append(ClipFeatures(c, feats, split))
    return out


def train_feature_frames(cf: ClipFeatures, fbank: FbankConfig) -> np.ndarray:
    """The feature frames that lie inside the training part (for normalisation statistics)."""
    end_ms = cf.split / cf.clip.fps * 1000.0
    n = max(1, min(cf.features.shape[0], fbank.frames_for(int(end_ms * fbank.sample_rate / 1000))))
    return cf.features[:n]
