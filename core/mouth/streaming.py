"""The one audio stepper: 16 kHz audio in any chunk size -> mouth coefficients per video frame.

`dhstudio render`, `dhstudio eval` and `dhstudio live` all turn speech into mouths here:
streaming filter bank, frame-pair alignment, per-speaker normalisation, one network step per
video frame, and the model's lookahead as a delay. Each `push` returns the frames that became
decidable (usually one per 40 ms, `lookahead` frames behind the newest audio); `flush` ends the
stream, padding the lookahead with the last features. A whole file pushed at once gives exactly
the frames the same file gives in 40 ms chunks, so an offline render equals a live session.
Each frame also carries its loudness, so the live engine can keep silence on the source loop.

The network step is an `AudioStep`: NumPy on the CPU (`core.mouth.step_kernel`, several times
faster than dispatching `torch.nn` modules per frame), PyTorch on a GPU, and the TorchScript and
ONNX Runtime steps of `core.realtime.backends`. Resampling is the caller's: the stepper takes
16 kHz only (the one audio reader and the live engine deliver that).

`predict_clip` is the whole-clip reference (one LSTM pass over all frame pairs) the stepper is
tested against.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import torch

from core.audio.alignment import fit_frames, frame_pairs, frames_needed, pair_start, video_frames_for
from core.audio.fbank import FbankConfig, StreamingFbank
from core.audio.level import LevelMatcher
from core.audio.normalization import NormStats
from core.mouth.model import Audio2Mouth, predict_offline
from core.mouth.step_kernel import CellStep, NumpyStep

SILENCE_RMS = 0.006  # about -44 dBFS: below this a frame counts as silent


class AudioStep(Protocol):
    name: str

    def reset(self) -> None: ...

    def step(self, pair: np.ndarray) -> np.ndarray:
        """Normalised frame pair [2 * bins] -> mouth coefficients [K]; carries the LSTM state."""
        ...


class TorchAudioStep:
    """The network's step in eager PyTorch (for a GPU), through `CellStep` (no `nn.LSTM` call)."""

    name = "torch"

    def __init__(self, net: Audio2Mouth, device: torch.device | str) -> None:
        self.cell = CellStep(net.eval().to(device))
        self.device = torch.device(device)
        cfg = net.cfg
        self._zero = torch.zeros(cfg.lstm_layers, 1, cfg.lstm_hidden, device=self.device)
        self.reset()

    def reset(self) -> None:
        self._h, self._c = self._zero, self._zero

    def step(self, pair: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            y, self._h, self._c = self.cell(torch.from_numpy(pair).to(self.device), self._h, self._c)
        return y.reshape(-1).cpu().numpy()


def eager_step(net: Audio2Mouth, device: torch.device | str = "cpu") -> AudioStep:
    """The eager step for `device`: NumPy on the CPU (same arithmetic, no dispatch cost), else torch."""
    if torch.device(device).type == "cpu":
        return NumpyStep.from_net(net)
    return TorchAudioStep(net, device)


@dataclass(frozen=True)
class MouthFrame:
    index: int  # video frame
    coeffs: np.ndarray  # [K]
    rms: float  # loudness of the frame's own audio


class MouthStepper:
    """Feed 16 kHz audio in any chunk size; get the video frames that became decidable."""

    def __init__(
        self,
        backend: AudioStep,
        norm: NormStats,
        fbank: FbankConfig,
        lookahead: int,
        k: int,
        fps: float = 25.0,
    ) -> None:
        if norm.mean.shape[0] != fbank.num_bins:
            raise ValueError(f"bins disagree: features {fbank.num_bins}, statistics {norm.mean.shape[0]}")
        self.backend = backend
        self.fbank_cfg = fbank
        self.lookahead = int(lookahead)
        self.k = int(k)
        self.fps = float(fps)
        self._fbank = StreamingFbank(fbank)
        self._feats: list[np.ndarray] = []
        self._feats_start = 0  # absolute feature index of _feats[0]
        self._next_pair = 0  # next video frame whose pair feeds the network
        self._mean = np.tile(norm.mean, 2).astype(np.float32)
        self._inv_std = (1.0 / np.tile(norm.std, 2)).astype(np.float32)
        # a voice at another level than the training clip's is shifted to it (core.audio.level)
        self.level = None if norm.level is None else LevelMatcher(norm.level, fbank.frame_shift_ms)
        self._audio = np.zeros(0, np.float32)  # audio not yet measured for loudness
        self._audio_start = 0  # absolute sample index of _audio[0]
        self._done = False
        backend.reset()

    @classmethod
    def for_net(
        cls, net: Audio2Mouth, norm: NormStats, fbank: FbankConfig, fps: float, step: AudioStep | None = None
    ) -> MouthStepper:
        """A stepper over `net` (eval mode) with its eager step unless another `step` is given."""
        if net.training:
            raise ValueError("the mouth stepper needs the network in eval mode (call net.eval())")
        if net.cfg.num_bins != fbank.num_bins:
            raise ValueError(f"bins disagree: features {fbank.num_bins}, network {net.cfg.num_bins}")
        device = next(net.parameters()).device
        return cls(step or eager_step(net, device), norm, fbank, net.cfg.lookahead, net.cfg.k, fps)

    @property
    def rate(self) -> int:
        return self.fbank_cfg.sample_rate

    @property
    def frames_out(self) -> int:
        """Video frames emitted so far."""
        return max(self._next_pair - self.lookahead, 0)

    def samples_needed(self, j: int) -> int:
        """16 kHz samples that must have arrived before frame j is decidable: the end of the last
        analysis window of frame j + lookahead's pair (the newest sample frame j depends on)."""
        last = int(pair_start(j + self.lookahead, self.fps, self.fbank_cfg)) + 1
        return last * self.fbank_cfg.shift_samples + self.fbank_cfg.window_samples

    @property
    def inherent_latency_ms(self) -> float:
        """Audio needed past a frame's centre before it can be emitted (window + lookahead)."""
        last = int(pair_start(self.lookahead, self.fps, self.fbank_cfg)) + 1
        end_ms = last * self.fbank_cfg.frame_shift_ms + self.fbank_cfg.frame_length_ms
        return float(end_ms - 500.0 / self.fps)

    def push(self, audio: np.ndarray) -> list[MouthFrame]:
        """Feed mono 16 kHz samples; the frames they completed (possibly none)."""
        if self._done:
            raise RuntimeError("MouthStepper.push after flush(); make a new stepper for a new stream")
        audio = np.asarray(audio, np.float32).reshape(-1)
        self._audio = np.concatenate([self._audio, audio]) if self._audio.size else audio.copy()
        self._take(self._fbank.accept(audio, self.rate))
        return self._run(self._fbank.frames_emitted, None)

    def flush(self) -> list[MouthFrame]:
        """End of stream: the remaining frames, the lookahead padded with the last features."""
        if self._done:
            return []
        self._take(self._fbank.finish())
        self._done = True
        if self._fbank.frames_emitted == 0:
            return []
        total = video_frames_for(self._fbank.samples_seen, self.fps, self.rate)
        return self._run(self._fbank.frames_emitted, total)

    def _take(self, frames: np.ndarray) -> None:
        """New feature frames [M, bins], level-matched when the statistics carry a speech level."""
        if len(frames) and self.level is not None:
            frames = self.level.push(frames)
        self._feats.extend(frames)

    def _feature(self, i: int, available: int) -> np.ndarray:
        i = min(max(i, 0), available - 1)
        return self._feats[i - self._feats_start]

    def _run(self, available: int, final_frames: int | None) -> list[MouthFrame]:
        out: list[MouthFrame] = []
        while True:
            p = self._next_pair
            if final_frames is None:
                if frames_needed(p, self.fps, self.fbank_cfg) > available:
                    break
            elif p >= final_frames + self.lookahead:
                break
            i0 = int(pair_start(p, self.fps, self.fbank_cfg))
            pair = np.concatenate([self._feature(i0, available), self._feature(i0 + 1, available)])
            y = self.backend.step((pair - self._mean) * self._inv_std)
            if p >= self.lookahead:
                j = p - self.lookahead
                out.append(MouthFrame(j, np.asarray(y, np.float32), self._rms(j)))
            self._next_pair += 1
        self._forget(available)
        return out

    def _frame_sample(self, j: int) -> int:
        return int(round(j * self.rate / self.fps))

    def _rms(self, j: int) -> float:
        """Loudness of frame j's own samples."""
        a = max(self._frame_sample(j) - self._audio_start, 0)
        seg = self._audio[a : max(self._frame_sample(j + 1) - self._audio_start, 0)]
        return float(np.sqrt(np.mean(seg.astype(np.float64) ** 2))) if seg.size else 0.0

    def _forget(self, available: int) -> None:
        """Drop features no future pair can use and audio no future frame measures."""
        first_needed = min(
            max(int(pair_start(self._next_pair, self.fps, self.fbank_cfg)), 0), max(available - 1, 0)
        )
        drop = min(first_needed - self._feats_start, len(self._feats) - 1)
        if drop > 0:
            del self._feats[:drop]
            self._feats_start += drop
        keep_from = self._frame_sample(self.frames_out)
        if keep_from > self._audio_start:
            cut = min(keep_from - self._audio_start, self._audio.size)
            self._audio = self._audio[cut:]
            self._audio_start += cut


class FrameFilter(Protocol):
    """What follows the stepper in the live engine (`core.realtime.controls.CoefficientFilter`)."""

    def push(self, frames: list[MouthFrame]) -> list[MouthFrame]: ...

    def flush(self) -> list[MouthFrame]: ...


def stream_all(
    stepper: MouthStepper, audio: np.ndarray, n_frames: int | None = None, post: FrameFilter | None = None
) -> np.ndarray:
    """A whole 16 kHz waveform through `stepper` (then `post`, as the live engine chains them)
    -> coefficients [n_frames, K].

    Default `n_frames`: the frames the audio spans. More frames than that repeat the last
    mouth; fewer are cut.
    """
    frames = stepper.push(audio) + stepper.flush()
    if post is not None:
        frames = post.push(frames) + post.flush()
    coeffs = np.stack([f.coeffs for f in frames]) if frames else np.zeros((0, stepper.k), np.float32)
    return fit_frames(coeffs, n_frames)


def predict_clip(
    net: Audio2Mouth, norm: NormStats, fbank: FbankConfig, features: np.ndarray, n_frames: int, fps: float
) -> np.ndarray:
    """Whole-clip reference: raw features [F, bins] -> coefficients [n_frames, K] in one LSTM pass
    (level-matched as the stepper does)."""
    if norm.level is not None:
        features = LevelMatcher(norm.level, fbank.frame_shift_ms).push(features)
    pairs = frame_pairs(features, np.arange(n_frames + net.cfg.lookahead), fps, fbank)
    x = torch.from_numpy(norm.apply(pairs)).to(next(net.parameters()).device)
    with torch.inference_mode():
        return predict_offline(net, x).cpu().numpy()
