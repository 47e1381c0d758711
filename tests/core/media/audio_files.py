"""Audio files in any container and sample format, encoded here with PyAV (no third-party media)."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np


def write_audio(
    path: Path, samples: np.ndarray, rate: int, codec: str, fmt: str, layout: str = "mono"
) -> None:
    """Encode `samples` ([n] mono or [channels, n]) with PyAV into `path`."""
    planar = np.atleast_2d(samples).astype(np.float32)
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=rate, layout=layout)
        stream.format = fmt
        frame = av.AudioFrame.from_ndarray(planar, format="fltp", layout=layout)
        frame.sample_rate = rate
        resampler = av.AudioResampler(format=fmt, layout=layout, rate=rate)
        for f in [*resampler.resample(frame), *resampler.resample(None)]:
            for packet in stream.encode(f):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


def write_speech(path: Path, seconds: float, seed: int, gain: float = 0.5, rate: int = 16000) -> Path:
    """Synthetic speech peak-normalised to `gain`, as a 16-bit mono WAV at `path`."""
    from core.synth.speech import synthesize

    audio, _ = synthesize(seconds, seed=seed, sample_rate=rate)
    write_audio(path, (gain * audio / np.abs(audio).max()).astype(np.float32), rate, "pcm_s16le", "s16")
    return path
