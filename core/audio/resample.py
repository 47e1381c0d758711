"""Band-limited resampling (windowed sinc), streaming with state, so a 44.1/48 kHz microphone works.

Output sample n sits at input position n * rate_in / rate_out and is the sum of the input
around it weighted by a Kaiser-windowed sinc whose cutoff is below both Nyquist rates.
The streamer keeps just the input history the filter still needs; feeding a signal in
chunks of any size gives the same output as `resample` on the whole signal.

Example:
    >>> import numpy as np
    >>> resample(np.zeros(48000, np.float32), 48000, 16000).shape
    (16000,)
"""

from __future__ import annotations

import math

import numpy as np


class StreamingResampler:
    def __init__(
        self, rate_in: int, rate_out: int, zero_crossings: int = 16, rolloff: float = 0.94, beta: float = 8.6
    ) -> None:
        if rate_in <= 0 or rate_out <= 0:
            raise ValueError(f"sample rates must be positive (got {rate_in} -> {rate_out})")
        self.rate_in = int(rate_in)
        self.rate_out = int(rate_out)
        self.step = self.rate_in / self.rate_out  # input samples per output sample
        self.cutoff = rolloff * min(1.0, self.rate_out / self.rate_in)  # in cycles per input sample * 2
        self.half = int(math.ceil(zero_crossings / self.cutoff))  # filter half-width in input samples
        self.beta = beta
        self._buf = np.zeros(0, np.float64)
        self._buf_start = 0  # absolute input index of _buf[0]
        self._received = 0
        self._next_out = 0  # absolute index of the next output sample
        g = math.gcd(self.rate_in, self.rate_out)
        self._num, self._den = self.rate_in // g, self.rate_out // g  # pos(n) = n * num / den exactly
        taps = np.arange(2 * self.half)
        self._table = None
        if self._den <= 4096:  # polyphase table: one kernel per fractional phase
            frac = np.arange(self._den)[:, None] / self._den
            self._table = self._kernel(frac + self.half - 1 - taps[None, :])

    def _kernel(self, offsets: np.ndarray) -> np.ndarray:
        x = offsets / self.half
        window = np.where(np.abs(x) <= 1.0, np.i0(self.beta * np.sqrt(np.clip(1.0 - x * x, 0.0, 1.0))), 0.0)
        return self.cutoff * np.sinc(self.cutoff * offsets) * window / np.i0(self.beta)

    def _produce(self, limit_in: float) -> np.ndarray:
        """Every output whose filter support ends before input index `limit_in`."""
        n_end = int(math.floor((limit_in - self.half) / self.step)) + 1 if limit_in >= self.half else 0
        if n_end <= self._next_out:
            return np.zeros(0, np.float32)
        n = np.arange(self._next_out, n_end, dtype=np.int64)
        whole, phase = np.divmod(n * self._num, self._den)
        idx = (whole - self.half + 1)[:, None] + np.arange(2 * self.half)[None, :]  # absolute input indices
        if self._table is not None:
            weights = self._table[phase]
        else:
            weights = self._kernel((whole + phase / self._den)[:, None] - idx)
        local = idx - self._buf_start
        valid = (idx >= 0) & (idx < self._received)
        vals = (
            np.where(valid, self._buf[np.clip(local, 0, max(self._buf.size - 1, 0))], 0.0)
            if self._buf.size
            else np.zeros_like(weights)
        )
        self._next_out = n_end
        # trim history that no future output needs
        keep_from = int(math.floor(self._next_out * self.step)) - self.half
        if keep_from > self._buf_start:
            drop = min(keep_from - self._buf_start, self._buf.size)
            self._buf = self._buf[drop:]
            self._buf_start += drop
        return (vals * weights).sum(axis=1).astype(np.float32)

    def push(self, samples: np.ndarray) -> np.ndarray:
        x = np.asarray(samples, np.float64).reshape(-1)
        self._buf = np.concatenate([self._buf, x])
        self._received += x.size
        return self._produce(self._received)

    def flush(self) -> np.ndarray:
        """End of stream: the outputs up to the input's duration, zeros assumed beyond it."""
        total = int(math.ceil(self._received / self.step - 1e-9))
        out = self._produce(self._received + self.half + 1)
        return out[: max(total - (self._next_out - out.size), 0)]


def resample(samples: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """Whole-signal resampling; identity when the rates match."""
    x = np.asarray(samples, np.float32).reshape(-1)
    if rate_in == rate_out:
        return x.copy()
    r = StreamingResampler(rate_in, rate_out)
    return np.concatenate([r.push(x), r.flush()])
