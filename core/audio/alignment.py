"""Align feature frames to video frames by time: each video frame gets the pair centred on it.

Video frame j spans [j/fps, (j+1)/fps). Feature frame i is centred at i*shift + window/2.
The pair (i0, i0+1) whose mean centre is nearest the video frame's centre represents it;
at 25 fps with 50/20 ms frames that is (2j-1, 2j). Indices outside the available features
are clamped to the first/last frame, the same way offline and at the end of a stream.
"""

from __future__ import annotations

import math

import numpy as np

from core.audio.fbank import FbankConfig


def pair_start(j: int | np.ndarray, fps: float, cfg: FbankConfig) -> np.ndarray:
    """First feature index of video frame j's pair (may be < 0 or beyond the features)."""
    centre_ms = (np.asarray(j, dtype=np.float64) + 0.5) * 1000.0 / fps
    pos = (centre_ms - cfg.frame_length_ms / 2 - cfg.frame_shift_ms / 2) / cfg.frame_shift_ms
    return np.floor(pos + 0.5).astype(np.int64)  # round half up, same for scalars and arrays


def frames_needed(j: int, fps: float, cfg: FbankConfig) -> int:
    """How many feature frames must exist before video frame j's pair is complete."""
    return int(pair_start(j, fps, cfg)) + 2


def video_frames_for(num_samples: int, fps: float, sample_rate: int) -> int:
    """Video frames whose start lies inside `num_samples` samples of audio."""
    return int(math.ceil(num_samples * fps / sample_rate - 1e-9))


def frame_pairs(features: np.ndarray, frames: np.ndarray, fps: float, cfg: FbankConfig) -> np.ndarray:
    """Stack the pair for each video frame index in `frames`: [len(frames), 2 * num_bins].

    features: [F, B] (F >= 1); indices are clamped to [0, F-1].
    """
    f = features.shape[0]
    if f == 0:
        raise ValueError("no feature frames: the audio is shorter than one analysis window")
    start = pair_start(np.asarray(frames), fps, cfg)
    i0 = np.clip(start, 0, f - 1)
    i1 = np.clip(start + 1, 0, f - 1)
    return np.concatenate([features[i0], features[i1]], axis=-1).astype(np.float32, copy=False)


def clip_pairs(
    features: np.ndarray, n_frames: int, fps: float, cfg: FbankConfig, lookahead: int
) -> np.ndarray:
    """Pairs for video frames 0 .. n_frames-1+lookahead (the model's input sequence)."""
    return frame_pairs(features, np.arange(n_frames + lookahead), fps, cfg)


def fit_frames(coeffs: np.ndarray, n_frames: int | None) -> np.ndarray:
    """Coefficients [F, K] cut or extended (the last mouth repeated) to `n_frames` (None: as they are)."""
    if n_frames is None or n_frames == len(coeffs):
        return coeffs
    if n_frames < len(coeffs) or not len(coeffs):
        return coeffs[:n_frames] if len(coeffs) else np.zeros((n_frames, coeffs.shape[1]), np.float32)
    return np.concatenate([coeffs, np.repeat(coeffs[-1:], n_frames - len(coeffs), axis=0)])
