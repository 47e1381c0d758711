"""Log-mel filter banks with kaldi-native-fbank, offline and streaming, giving identical frames.

Both paths use one `OnlineFbank` with `snip_edges=True`, so a frame exists as soon as its
whole window has arrived and never changes afterwards: feeding the waveform at once or in
chunks of any size yields the same frames. Kaldi expects samples on the 16-bit integer
scale, so float audio in [-1, 1] is multiplied by 32768 before it is fed.

Example:
    >>> import numpy as np
    >>> feats = compute_fbank(np.zeros(16000, np.float32), FbankConfig())
    >>> feats.shape
    (48, 80)
"""

from __future__ import annotations

import numpy as np
from pydantic import Field, model_validator

from core.config.model import ConfigModel
from core.jobs.errors import BadInput
from core.jobs.message import Text

SAMPLE_RATE = 16000
INT16_SCALE = 32768.0  # kaldi's waveform convention: float samples on the int16 scale


class FbankConfig(ConfigModel):
    """Filter-bank settings; defaults give two feature frames per 40 ms (25 fps) video frame."""

    num_bins: int = Field(default=80, ge=8, le=256)
    frame_length_ms: float = Field(default=50.0, gt=0.0, le=200.0)
    frame_shift_ms: float = Field(default=20.0, gt=0.0, le=100.0)
    sample_rate: int = SAMPLE_RATE
    dither: float = Field(default=0.0, ge=0.0)

    @model_validator(mode="after")
    def _check(self) -> FbankConfig:
        if self.sample_rate != SAMPLE_RATE:
            raise ValueError(
                f"sample_rate must be {SAMPLE_RATE} (got {self.sample_rate}); audio is resampled first"
            )
        if self.frame_shift_ms > self.frame_length_ms:
            raise ValueError("frame_shift_ms must not exceed frame_length_ms")
        if self.dither != 0.0:
            raise ValueError("dither must be 0 so features are deterministic (offline == streaming)")
        return self

    @property
    def window_samples(self) -> int:
        return int(round(self.frame_length_ms * self.sample_rate / 1000))

    @property
    def shift_samples(self) -> int:
        return int(round(self.frame_shift_ms * self.sample_rate / 1000))

    def frames_for(self, num_samples: int) -> int:
        """How many complete frames `num_samples` samples give (snip_edges convention)."""
        if num_samples < self.window_samples:
            return 0
        return 1 + (num_samples - self.window_samples) // self.shift_samples


def fbank_options(cfg: FbankConfig):
    import kaldi_native_fbank as knf

    opts = knf.FbankOptions()
    opts.frame_opts.samp_freq = float(cfg.sample_rate)
    opts.frame_opts.frame_length_ms = float(cfg.frame_length_ms)
    opts.frame_opts.frame_shift_ms = float(cfg.frame_shift_ms)
    opts.frame_opts.dither = float(cfg.dither)
    opts.frame_opts.snip_edges = True
    opts.mel_opts.num_bins = int(cfg.num_bins)
    return opts


def _as_mono_float(samples: np.ndarray) -> np.ndarray:
    samples = np.asarray(samples)
    if samples.ndim != 1:
        raise BadInput(
            Text(
                "audio must be mono, 1-D samples (got shape {shape}); mix down channels first",
                shape=samples.shape,
            )
        )
    if samples.dtype == np.int16:
        return samples.astype(np.float32) / INT16_SCALE
    return samples.astype(np.float32, copy=False)


class StreamingFbank:
    """Feed 16 kHz mono float audio in chunks of any size; get the newly completed frames back.

    `sample_rate` is required on every call: kaldi-native-fbank itself silently treats any
    rate as its configured one, so a mismatch is refused here (resample with
    `core.audio.resample.StreamingResampler` first).
    """

    def __init__(self, cfg: FbankConfig | None = None, keep_frames: int = 64) -> None:
        import kaldi_native_fbank as knf

        self.cfg = cfg or FbankConfig()
        self._fbank = knf.OnlineFbank(fbank_options(self.cfg))
        self._emitted = 0  # absolute index of the next frame to hand out
        self._popped = 0
        self._keep = max(int(keep_frames), 1)
        self._finished = False
        self.samples_seen = 0

    @property
    def frames_emitted(self) -> int:
        return self._emitted

    def accept(self, samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
        """Append samples; return the frames completed by them, [M, num_bins] float32 (M may be 0)."""
        if sample_rate != self.cfg.sample_rate:
            raise BadInput(
                Text(
                    "StreamingFbank got {sample_rate} Hz audio but needs {needed_rate} Hz; resample "
                    "it first (core.audio.resample.StreamingResampler({sample_rate}, {needed_rate})).",
                    sample_rate=sample_rate,
                    needed_rate=self.cfg.sample_rate,
                )
            )
        if self._finished:
            raise RuntimeError("StreamingFbank.accept after finish(); make a new extractor for a new stream")
        x = _as_mono_float(samples)
        if x.size:
            self._fbank.accept_waveform(float(self.cfg.sample_rate), x * INT16_SCALE)
            self.samples_seen += int(x.size)
        return self._drain()

    def finish(self) -> np.ndarray:
        """End of stream: return any frames still pending (none with snip_edges, kept for clarity)."""
        if not self._finished:
            self._fbank.input_finished()
            self._finished = True
        return self._drain()

    def _drain(self) -> np.ndarray:
        ready = int(self._fbank.num_frames_ready)
        n = ready - self._emitted
        out = np.empty((max(n, 0), self.cfg.num_bins), np.float32)
        for k in range(n):
            out[k] = self._fbank.get_frame(self._emitted + k)
        self._emitted = ready
        # bound memory on endless (microphone) streams: frames already handed out are not needed
        drop = self._emitted - self._popped - self._keep
        if drop > 0:
            self._fbank.pop(drop)
            self._popped += drop
        return out


def compute_fbank(samples: np.ndarray, cfg: FbankConfig | None = None) -> np.ndarray:
    """Offline features for a whole 16 kHz mono waveform: [F, num_bins] float32."""
    extractor = StreamingFbank(cfg)
    first = extractor.accept(samples, (cfg or FbankConfig()).sample_rate)
    rest = extractor.finish()
    return np.concatenate([first, rest], axis=0)
