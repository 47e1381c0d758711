"""Streaming audio -> per-video-frame mouth coefficients, over any `AudioStepBackend`.

The same feature path as `core.mouth.streaming.MouthStreamer` (streaming filter bank,
pair alignment, per-speaker normalisation, lookahead as a delay), but the network step is
a backend, so the LSTM can run in PyTorch, TorchScript or ONNX Runtime. Each frame also
gets its loudness, so the engine can keep silent stretches on the source video loop.

Tested equal to `MouthStreamer` with the PyTorch backend.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from core.audio.alignment import frames_needed, pair_start, video_frames_for
from core.audio.fbank import FbankConfig, StreamingFbank
from core.audio.normalization import NormStats
from core.realtime.backends import AudioStepBackend

SILENCE_RMS = 0.006  # about -44 dBFS: below this a frame counts as silent


@dataclass(frozen=True)
class MouthFrame:
    index: int  # video frame
    coeffs: np.ndarray  # [K]
    rms: float  # loudness of the frame's own audio


class MouthStepper:
    """Feed 16 kHz audio in any chunk size; get the video frames that became decidable."""

    def __init__(
        self,
        backend: AudioStepBackend,
        norm: NormStats,
        fbank: FbankConfig,
        lookahead: int,
        k: int,
        fps: float = 25.0,
    ) -> None:
        self.backend = backend
        self.fbank_cfg = fbank
        self.lookahead = int(lookahead)
        self.k = int(k)
        self.fps = float(fps)
        self._fbank = StreamingFbank(fbank)
        self._feats: deque[np.ndarray] = deque()
        self._feats_start = 0
        self._next_pair = 0
        self._mean = np.tile(norm.mean, 2).astype(np.float32)
        self._inv_std = (1.0 / np.tile(norm.std, 2)).astype(np.float32)
        self._audio: deque[np.ndarray] = deque()  # recent 16 kHz audio, for per-frame loudness
        self._audio_start = 0
        self._audio_end = 0
        self._done = False
        backend.reset()

    @property
    def rate(self) -> int:
        return self.fbank_cfg.sample_rate

    @property
    def inherent_latency_ms(self) -> float:
        """Audio needed past a frame's centre before it can be emitted (window + lookahead)."""
        last = int(pair_start(self.lookahead, self.fps, self.fbank_cfg)) + 1
        end_ms = last * self.fbank_cfg.frame_shift_ms + self.fbank_cfg.frame_length_ms
        return float(end_ms - 500.0 / self.fps)

    def push(self, audio: np.ndarray) -> list[MouthFrame]:
        if self._done:
            raise RuntimeError("MouthStepper.push after flush()")
        audio = np.asarray(audio, np.float32)
        self._audio.append(audio)
        self._audio_end += audio.shape[0]
        self._feats.extend(self._fbank.accept(audio, self.rate))
        return self._run(self._fbank.frames_emitted, None)

    def flush(self) -> list[MouthFrame]:
        """End of stream: the remaining frames, the lookahead padded with the last features."""
        if self._done:
            return []
        self._feats.extend(self._fbank.finish())
        self._done = True
        if self._fbank.frames_emitted == 0:
            return []
        total = video_frames_for(self._fbank.samples_seen, self.fps, self.rate)
        return self._run(self._fbank.frames_emitted, total)

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
        first_needed = min(
            max(int(pair_start(self._next_pair, self.fps, self.fbank_cfg)), 0), max(available - 1, 0)
        )
        while self._feats_start < first_needed and len(self._feats) > 1:
            self._feats.popleft()
            self._feats_start += 1
        return out

    def _rms(self, j: int) -> float:
        """Loudness of frame j's samples; drops audio no later frame needs."""
        a = int(round(j * self.rate / self.fps))
        b = int(round((j + 1) * self.rate / self.fps))
        while self._audio and self._audio_start + self._audio[0].shape[0] <= a:
            self._audio_start += self._audio.popleft().shape[0]
        if not self._audio or b <= self._audio_start:
            return 0.0
        joined = np.concatenate(list(self._audio))
        seg = joined[max(a - self._audio_start, 0) : max(b - self._audio_start, 0)]
        return float(np.sqrt(np.mean(seg.astype(np.float64) ** 2))) if seg.size else 0.0
