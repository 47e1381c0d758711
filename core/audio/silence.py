"""Is there sound at all? The share of short hops above digital silence.

A camera with its microphone off writes a sound track of zeros: the clip looks as if it had audio, but
nothing in it can teach the audio-to-mouth model. Prepare warns about it and training leaves it out.
"""

from __future__ import annotations

import numpy as np

SILENCE_RMS = 1e-3  # ~ -60 dBFS
MIN_VOICED_FRACTION = 0.05  # below this share of hops with sound, a track counts as silent


def is_silent(voiced: float | None) -> bool:
    """The one rule for a measured track: too little sound to learn from (unknown: not silent)."""
    return isinstance(voiced, int | float) and voiced < MIN_VOICED_FRACTION


def voiced_fraction(audio: np.ndarray, hop: int) -> float:
    """Share of `hop`-sample windows of mono `audio` [S] above -60 dBFS RMS (0 when shorter than one)."""
    if audio.size < hop:
        return 0.0
    windows = audio[: audio.size // hop * hop].reshape(-1, hop).astype(np.float64)
    return float((np.sqrt((windows**2).mean(axis=1)) > SILENCE_RMS).mean())
