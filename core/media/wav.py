"""16-bit PCM WAV files (the prepared clip's audio): atomic write, strict read."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np

from core.io import atomic
from core.jobs.errors import BadInput


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


def read_wav(path: Path | str) -> tuple[np.ndarray, int]:
    """(float32 mono samples, sample rate) of a 16-bit PCM WAV; multi-channel files are averaged."""
    path = Path(path)
    try:
        with wave.open(str(path), "rb") as wf:
            if wf.getsampwidth() != 2:
                raise BadInput(f"{path}: only 16-bit PCM WAV is supported (got {8 * wf.getsampwidth()}-bit).")
            channels, rate = wf.getnchannels(), wf.getframerate()
            data = np.frombuffer(wf.readframes(wf.getnframes()), dtype="<i2")
    except (wave.Error, EOFError) as exc:
        raise BadInput(f"{path} is not a readable WAV file ({exc}).") from None
    audio = data.astype(np.float32).reshape(-1, channels).mean(axis=1) / 32767.0
    return audio, rate
