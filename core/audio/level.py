"""Speech-level matching: a voice louder or quieter than the training clip's reaches the audio model
at the clip's level.

The audio model's features are normalised by statistics saved from the training clip, so a gain
change shifts every log-mel bin by the same amount, and training only augments +-6 dB. A voice 20 dB
below the clip's (a laptop microphone against a phone's recording, a quiet text-to-speech file)
froze the mouth: its spread fell to 1-5 % of the spread at the clip's level
(`benchmarks/bench_input_level.py`).

`LevelMatcher` measures the input's speech level causally, from the frames already seen, and
shifts each new frame by the training level minus that, at most MAX_DB either way:
- a frame's level is the log of its bins' mean power per bandwidth;
- the noise floor is the FLOOR_PERCENTILE of the last FLOOR_WINDOW_S seconds of frames;
- a speech frame is one at least SPEECH_DB above that floor (and within GATE_DB of the target);
- the speech level is the PERCENTILE of the last WINDOW_S seconds' worth of speech frames, once
  MIN_S seconds of them have been heard (before that nothing is shifted).
Silence and noise are never speech frames, so a long pause holds the estimate instead of dragging
it down and boosting the room's noise. The training level (`speech_level`) uses the same rule over
the clip's frames. The same frames in any chunking give the same shifts, so offline render and live
stay frame-identical; the web page's stepper (web/src/stepper.js) does the same arithmetic.
"""

from __future__ import annotations

import math
from collections import deque
from functools import lru_cache

import numpy as np

PERCENTILE = 90.0
FLOOR_PERCENTILE = 10.0
WINDOW_S = 10.0
FLOOR_WINDOW_S = 2.0  # short, so a pause's noise stops counting as speech within a second or two
MIN_S = 1.0
SPEECH_DB = 10.0
GATE_DB = 40.0
MAX_DB = 30.0
LOG_PER_DB = math.log(10.0) / 10.0  # a log-mel bin is ln(power): 10 dB = ln 10


def _mel(hz: np.ndarray | float) -> np.ndarray:
    return 1127.0 * np.log1p(np.asarray(hz, np.float64) / 700.0)


@lru_cache(maxsize=8)
def bin_widths(num_bins: int, rate: int = 16000, low_hz: float = 20.0) -> np.ndarray:
    """[B] bandwidth of each mel filter (kaldi's layout: num_bins + 2 points even on the mel scale
    from low_hz to Nyquist), relative to their mean (read-only: shared between calls)."""
    points = np.linspace(_mel(low_hz), _mel(rate / 2), num_bins + 2)
    hz = 700.0 * np.expm1(points / 1127.0)
    widths = hz[2:] - hz[:-2]
    widths = widths / widths.mean()
    widths.setflags(write=False)
    return widths


@lru_cache(maxsize=8)
def _log_widths(num_bins: int) -> np.ndarray:
    out = np.log(bin_widths(num_bins))
    out.setflags(write=False)
    return out


def frame_levels(features: np.ndarray) -> np.ndarray:
    """[F, B] log-mel -> [F] level of each frame: the log of its bins' mean power per bandwidth.

    A gain moves it by exactly its dB. Per bandwidth, because the high filters are wide: summed
    over them, even a quiet hiss outweighs a voice whose power sits in the narrow low filters."""
    x = np.asarray(features, np.float64) - _log_widths(int(np.shape(features)[-1]))
    top = x.max(axis=-1)
    return top + np.log(np.exp(x - top[..., None]).mean(axis=-1))


def speech_level(features: np.ndarray) -> float | None:
    """The level speech reaches in these frames: the PERCENTILE of the frames at least SPEECH_DB
    above their FLOOR_PERCENTILE; None when no frame is (a steady tone, noise, silence)."""
    levels = frame_levels(features)
    if levels.size == 0:
        return None
    speech = levels[levels >= np.percentile(levels, FLOOR_PERCENTILE) + SPEECH_DB * LOG_PER_DB]
    return float(np.percentile(speech, PERCENTILE)) if speech.size else None


class LevelMatcher:
    """Shift log-mel frames so the input's speech level meets `target` (a `speech_level`)."""

    def __init__(self, target: float, frame_shift_ms: float) -> None:
        self.target = float(target)
        per_s = 1000.0 / float(frame_shift_ms)
        self._all: deque[float] = deque(maxlen=max(int(round(FLOOR_WINDOW_S * per_s)), 1))
        self._speech: deque[float] = deque(maxlen=max(int(round(WINDOW_S * per_s)), 1))
        self._min = max(int(round(MIN_S * per_s)), 1)
        self._gate = self.target - GATE_DB * LOG_PER_DB
        self._above_floor = SPEECH_DB * LOG_PER_DB
        self._limit = MAX_DB * LOG_PER_DB
        self.offset = 0.0  # what the next frame is shifted by (log units)

    @property
    def offset_db(self) -> float:
        return self.offset / LOG_PER_DB

    def push(self, features: np.ndarray) -> np.ndarray:
        """[F, B] frames in arrival order -> the same frames shifted (float32)."""
        feats = np.asarray(features, np.float32)
        out = feats.copy()
        for i, level in enumerate(frame_levels(feats)):
            out[i] += np.float32(self.offset)
            self._listen(float(level))
        return out

    def _listen(self, level: float) -> None:
        self._all.append(level)
        floor = float(np.percentile(np.fromiter(self._all, np.float64), FLOOR_PERCENTILE))
        if level < self._gate or level < floor + self._above_floor:
            return
        self._speech.append(level)
        if len(self._speech) >= self._min:
            heard = float(np.percentile(np.fromiter(self._speech, np.float64), PERCENTILE))
            self.offset = float(np.clip(self.target - heard, -self._limit, self._limit))
