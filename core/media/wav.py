"""16-bit PCM WAV files (the prepared clip's audio), written atomically; read with `core.media.audio`."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np

from core.io import atomic


def write_wav(path: Path | str, samples: np.ndarray, rate: int) -> None:
    """Write mono float samples in [-1, 1] as 16-bit PCM, atomically."""
    pcm = (np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0) * 32767.0).round().astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as wf:
        wf.setnchannels(1)
        wf.setsampwidth(2)
        wf.setframerate(int(rate))
        wf.writeframes(pcm.tobytes())
    atomic.write_bytes(path, buf.getvalue())
