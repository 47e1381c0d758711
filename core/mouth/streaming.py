"""Live audio -> mouth coefficients, one small audio chunk (typically 40 ms) per call.

`MouthStreamer` owns the streaming filter bank, the normalisation statistics and the
LSTM state. Each `push` returns the coefficients of every video frame that became
decidable (usually one per 40 ms chunk, `lookahead` frames behind the newest audio);
`flush` ends the stream the way `predict_clip` treats the end of a file, so the frames of
a whole stream equal the offline prediction (tested).

The default backend runs the step in NumPy (`core.mouth.step_kernel`), which is several times
faster on a CPU than dispatching `torch.nn` modules per 40 ms; `backend="torch"` uses the
network itself (e.g. on a GPU).

Audio at another sample rate is resampled on the fly (band-limited) when
`resample=True`, otherwise refused with a message; never read at the wrong rate.
"""

from __future__ import annotations

from collections import deque
from typing import Literal

import numpy as np
import torch

from core.audio.alignment import frame_pairs, frames_needed, pair_start, video_frames_for
from core.audio.fbank import FbankConfig, StreamingFbank
from core.audio.normalization import NormStats
from core.audio.resample import StreamingResampler
from core.jobs.errors import BadInput
from core.mouth.model import Audio2Mouth, LstmState, predict_offline
from core.mouth.step_kernel import NumpyStep


class MouthStreamer:
    def __init__(self, net: Audio2Mouth, norm: NormStats, fbank: FbankConfig, fps: float = 25.0,
                 resample: bool = True, backend: Literal["numpy", "torch"] = "numpy") -> None:
        if net.training:
            raise ValueError("MouthStreamer needs the network in eval mode (call net.eval())")
        if norm.mean.shape[0] != fbank.num_bins or net.cfg.num_bins != fbank.num_bins:
            raise ValueError(f"bins disagree: features {fbank.num_bins}, statistics {norm.mean.shape[0]}, "
                             f"network {net.cfg.num_bins}")
        self._kernel = NumpyStep.from_net(net) if backend == "numpy" else None
        self.net = net
        self.norm = norm
        self.fbank_cfg = fbank
        self.fps = float(fps)
        self.allow_resample = resample
        self._fbank = StreamingFbank(fbank)
        self._resampler: StreamingResampler | None = None
        self._input_rate: int | None = None
        self._feats: deque[np.ndarray] = deque()  # recent feature frames (raw)
        self._feats_start = 0  # absolute index of _feats[0]
        self._next_pair = 0  # next video frame whose pair feeds the LSTM
        self._state: LstmState | None = None
        self._done = False
        dev = next(net.parameters()).device
        self._device = dev
        self._mean = np.tile(norm.mean, 2)
        self._inv_std = 1.0 / np.tile(norm.std, 2)

    @property
    def frames_out(self) -> int:
        """Video frames emitted so far."""
        return max(self._next_pair - self.net.cfg.lookahead, 0)

    @property
    def latency_ms(self) -> float:
        """Audio past a frame's start needed before that frame can be emitted."""
        lookahead = self.net.cfg.lookahead
        last_feature = int(pair_start(lookahead, self.fps, self.fbank_cfg)) + 1
        end_ms = last_feature * self.fbank_cfg.frame_shift_ms + self.fbank_cfg.frame_length_ms
        return float(end_ms)

    def push(self, samples: np.ndarray, sample_rate: int) -> np.ndarray:
        """Feed mono audio; return coefficients [M, K] of the frames it completed (M may be 0)."""
        if self._done:
            raise RuntimeError("MouthStreamer.push after flush(); make a new streamer for a new stream")
        audio = self._to_model_rate(samples, sample_rate)
        self._add_features(self._fbank.accept(audio, self.fbank_cfg.sample_rate))
        return self._run(self._fbank.frames_emitted, final_frames=None)

    def flush(self) -> np.ndarray:
        """End of stream: emit the remaining frames, padding the lookahead with the last features."""
        if self._done:
            return np.zeros((0, self.net.cfg.k), np.float32)
        if self._resampler is not None:
            self._add_features(self._fbank.accept(self._resampler.flush(), self.fbank_cfg.sample_rate))
        self._add_features(self._fbank.finish())
        self._done = True
        if self._fbank.frames_emitted == 0:
            return np.zeros((0, self.net.cfg.k), np.float32)
        n_total = video_frames_for(self._fbank.samples_seen, self.fps, self.fbank_cfg.sample_rate)
        return self._run(self._fbank.frames_emitted, final_frames=n_total)

    def _to_model_rate(self, samples: np.ndarray, sample_rate: int) -> np.ndarray:
        rate = int(sample_rate)
        if self._input_rate is None:
            self._input_rate = rate
        elif rate != self._input_rate:
            raise BadInput(f"sample rate changed mid-stream ({self._input_rate} -> {rate} Hz); "
                           "start a new stream")
        if rate == self.fbank_cfg.sample_rate:
            return np.asarray(samples, np.float32)
        if not self.allow_resample:
            raise BadInput(f"audio is {rate} Hz but the model needs {self.fbank_cfg.sample_rate} Hz; "
                           "pass resample=True or resample the audio first")
        if self._resampler is None:
            self._resampler = StreamingResampler(rate, self.fbank_cfg.sample_rate)
        return self._resampler.push(np.asarray(samples, np.float32))

    def _add_features(self, feats: np.ndarray) -> None:
        self._feats.extend(feats)

    def _feature(self, i: int, available: int) -> np.ndarray:
        i = min(max(i, 0), available - 1)
        return self._feats[i - self._feats_start]

    def _run(self, available: int, final_frames: int | None) -> np.ndarray:
        lookahead = self.net.cfg.lookahead
        outs = []
        while True:
            p = self._next_pair
            if final_frames is None:
                if frames_needed(p, self.fps, self.fbank_cfg) > available:
                    break
            elif p >= final_frames + lookahead:
                break
            i0 = int(pair_start(p, self.fps, self.fbank_cfg))
            pair = np.concatenate([self._feature(i0, available), self._feature(i0 + 1, available)])
            x = ((pair - self._mean) * self._inv_std).astype(np.float32)
            if self._kernel is not None:
                y = self._kernel.step(x)
            else:
                with torch.inference_mode():
                    yt, self._state = self.net.step(torch.from_numpy(x).to(self._device), self._state)
                y = yt.cpu().numpy()
            if p >= lookahead:
                outs.append(y)
            self._next_pair += 1
        self._forget(available)
        return np.stack(outs) if outs else np.zeros((0, self.net.cfg.k), np.float32)

    def _forget(self, available: int) -> None:
        """Drop feature frames no future pair can use (the left clamp keeps frame 0 until passed)."""
        start = int(pair_start(self._next_pair, self.fps, self.fbank_cfg))
        first_needed = min(max(start, 0), max(available - 1, 0))
        while self._feats_start < first_needed and len(self._feats) > 1:
            self._feats.popleft()
            self._feats_start += 1


def predict_clip(net: Audio2Mouth, norm: NormStats, fbank: FbankConfig, features: np.ndarray, n_frames: int,
                 fps: float) -> np.ndarray:
    """Offline: raw features [F, bins] of a whole clip -> coefficients [n_frames, K]."""
    pairs = frame_pairs(features, np.arange(n_frames + net.cfg.lookahead), fps, fbank)
    x = torch.from_numpy(norm.apply(pairs)).to(next(net.parameters()).device)
    with torch.inference_mode():
        return predict_offline(net, x).cpu().numpy()
