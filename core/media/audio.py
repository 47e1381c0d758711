"""The one audio reader: any file FFmpeg decodes -> mono float32 at 16 kHz.

`dhstudio prepare` (the clip's own speech), `render --audio` and `live --audio-file` all read
audio here, so one file gives the same samples everywhere. PyAV decodes any container, codec,
bit depth (16/24/32-bit and float WAV, mp3, m4a/AAC, FLAC, Ogg/Opus, a video's sound track);
the decoder's samples are converted to float, the channels averaged, and the rate changed by
the project's band-limited resampler (`core.audio.resample`, streamed per decoded frame so a
long file never builds one huge filter matrix).

In a file with a video stream, sample 0 is the first video frame (leading audio is cut, a late
start padded with silence), so a prepared clip's audio lines up with its frames.

Example:
    >>> audio = read_audio("speech.m4a")           # float32 [S] at 16 kHz
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np

from core.audio.resample import StreamingResampler
from core.jobs.errors import BadInput

AUDIO_RATE = 16000
ACCEPTED = (
    "a WAV (16-, 24- or 32-bit, any rate, mono or stereo), mp3, m4a/AAC, FLAC, Ogg/Opus file, "
    "or a video with sound"
)


def read_audio(path: Path | str, rate: int = AUDIO_RATE, duration: float | None = None) -> np.ndarray:
    """The first audio stream of `path` as float32 mono at `rate` [S].

    With `duration` (seconds) the result is cut or zero-padded to exactly that long. A missing
    file, a file FFmpeg cannot read, one without an audio stream or without a single sample is
    a `BadInput` that names the file and says what is accepted.
    """
    import av

    path = Path(path)
    if not path.exists():
        raise BadInput(f"Audio file not found: {path}. Give {ACCEPTED}.")
    if not path.is_file():
        raise BadInput(f"{path} is a folder, not an audio file. Give {ACCEPTED}.")
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise BadInput(f"{path} is not a readable audio file ({exc}). Give {ACCEPTED}.") from None
    try:
        if not container.streams.audio:
            raise BadInput(f"{path} has no audio stream. Give {ACCEPTED}.")
        try:
            start = _first_video_time(container) if container.streams.video else None
            audio, first_time = _decode(container, rate)
        except (av.error.FFmpegError, ValueError) as exc:
            raise BadInput(
                f"{path}: the audio stream cannot be decoded, the file is corrupt or truncated ({exc}). "
                f"Give {ACCEPTED}."
            ) from None
    finally:
        container.close()
    if start is not None:
        offset = int(round((first_time - start) * rate))
        audio = np.concatenate([np.zeros(offset, np.float32), audio]) if offset > 0 else audio[-offset:]
    if duration is not None:
        n = int(round(duration * rate))
        audio = audio[:n] if len(audio) >= n else np.pad(audio, (0, n - len(audio)))
    elif audio.size == 0:
        raise BadInput(f"{path} holds no audio samples. Give {ACCEPTED}.")
    return audio


def _decode(container, rate: int) -> tuple[np.ndarray, float]:
    """(mono float32 samples at `rate`, time of the first decoded sample in seconds)."""
    import av

    container.seek(0)
    stream = container.streams.audio[0]
    to_float = av.AudioResampler(format="fltp")  # same layout and rate, float planar [channels, n]
    resampler: StreamingResampler | None = None
    native: int | None = None
    chunks: list[np.ndarray] = []
    first_time: float | None = None
    for frame in itertools.chain(container.decode(stream), [None]):  # None flushes the converter
        if frame is not None and first_time is None and frame.time is not None:
            first_time = float(frame.time)
        for f in to_float.resample(frame):
            mono = f.to_ndarray().reshape(len(f.layout.channels), -1).mean(axis=0, dtype=np.float32)
            if native is None:
                native = int(f.sample_rate)
                resampler = StreamingResampler(native, rate) if native != rate else None
            chunks.append(resampler.push(mono) if resampler is not None else mono)
    if resampler is not None:
        chunks.append(resampler.flush())
    audio = np.concatenate(chunks).astype(np.float32, copy=False) if chunks else np.zeros(0, np.float32)
    return audio, first_time or 0.0


def _first_video_time(container) -> float:
    for frame in container.decode(container.streams.video[0]):
        if frame.time is not None:
            return float(frame.time)
    return 0.0
