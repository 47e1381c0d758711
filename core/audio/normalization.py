"""Per-speaker feature normalisation: per-bin mean and standard deviation, saved with the model.

Log-mel levels depend on the microphone, the room and the voice; normalising by the
training speaker's statistics lets the model see the same ranges at inference.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from core.audio.fbank import FbankConfig

STD_FLOOR = 1e-3  # a bin that never changes (e.g. digital silence) must not blow up
AUDIBLE_RMS = 10 ** (-90 / 20)  # about one 16-bit step: below it no microphone picked anything up


def audible(features: np.ndarray, samples: np.ndarray, fbank: FbankConfig) -> np.ndarray:
    """The rows of `features` (from 16 kHz `samples` with `fbank`) whose window holds sound above
    AUDIBLE_RMS; every row when none does.

    Statistics should describe the voice, the microphone and the room. Digital silence (a muted
    microphone, a gap an editor left, text-to-speech padding, the zeros re-timing pads with)
    describes none of them, and it sits at the filter bank's log floor, far below any voice. So a
    few seconds of it drag the mean and spread until speech normalises into a narrow, shifted band:
    3 s before sample clip b took the prior's opening r from 0.57 to -0.06. A noise floor, however
    quiet, is kept (the prior trained on floors down to -75 dBFS).
    """
    x = np.asarray(samples, np.float64).reshape(-1)
    n = int(features.shape[0])
    starts = np.arange(n) * fbank.shift_samples
    ends = np.minimum(starts + fbank.window_samples, x.size)
    energy = np.concatenate([[0.0], np.cumsum(x * x)])
    rms = np.sqrt(np.maximum(energy[ends] - energy[np.minimum(starts, x.size)], 0.0) / fbank.window_samples)
    keep = rms > AUDIBLE_RMS
    return features[keep] if keep.any() else features


@dataclass(frozen=True)
class NormStats:
    mean: np.ndarray  # [B] float32
    std: np.ndarray  # [B] float32, >= STD_FLOOR
    frames: int  # how many feature frames the statistics came from
    # the speech level of those frames (core.audio.level.speech_level): what render and live match
    # a new voice's level to; None (statistics saved before it existed, or no speech): no matching
    level: float | None = None

    @classmethod
    def fit(cls, features: Sequence[np.ndarray]) -> NormStats:
        """Statistics over all frames of all given [F, B] arrays (one speaker's clips)."""
        from core.audio.level import speech_level

        stacked = np.concatenate([np.asarray(f, np.float64) for f in features], axis=0)
        if stacked.shape[0] == 0:
            raise ValueError("cannot fit normalisation statistics on zero frames")
        std = np.maximum(stacked.std(axis=0), STD_FLOOR)
        mean = stacked.mean(axis=0).astype(np.float32)
        return cls(mean, std.astype(np.float32), int(stacked.shape[0]), speech_level(stacked))

    def apply(self, features: np.ndarray) -> np.ndarray:
        """[..., B] -> normalised float32; also works on frame pairs [..., 2B]."""
        b = self.mean.shape[0]
        reps = features.shape[-1] // b
        if reps * b != features.shape[-1]:
            raise ValueError(f"feature width {features.shape[-1]} is not a multiple of {b} bins")
        mean = np.tile(self.mean, reps)
        std = np.tile(self.std, reps)
        return ((features - mean) / std).astype(np.float32)

    def to_dict(self) -> dict:
        import torch

        out = {
            "mean": torch.from_numpy(self.mean.copy()),
            "std": torch.from_numpy(self.std.copy()),
            "frames": int(self.frames),
        }
        if self.level is not None:
            out["level"] = float(self.level)
        return out

    @classmethod
    def from_dict(cls, d: dict) -> NormStats:
        level = d.get("level")
        return cls(
            np.asarray(d["mean"], np.float32),
            np.asarray(d["std"], np.float32),
            int(d["frames"]),
            None if level is None else float(level),
        )
