"""The one audio reader: any file FFmpeg decodes -> mono float32 at 16 kHz, or as it is.

`dhstudio prepare` (the clip's own speech), `render --audio` and `live --audio-file` all read
audio here, so one file gives the same samples everywhere. Two views of one file:
:func:`read_audio` is the 16 kHz mono signal the audio model's features are computed from;
:func:`read_audio_native` keeps the file's own sample rate and channels (48 kHz stereo stays
48 kHz stereo), for what the user hears in a rendered video or a live recording. PyAV decodes
any container, codec, bit depth (16/24/32-bit and float WAV, mp3, m4a/AAC, FLAC, Ogg/Opus, a
video's sound track); the decoder's samples are converted to float, and for the model's view
the channels averaged and the rate changed by the project's band-limited resampler
(`core.audio.resample`, streamed per decoded frame so a long file never builds one huge filter
matrix).

In a file with a video stream, sample 0 is the first video frame (leading audio is cut, a late
start padded with silence), so a prepared clip's audio lines up with its frames.

Example:
    >>> audio = read_audio("speech.m4a")           # float32 [S] at 16 kHz
    >>> native = read_audio_native("speech.m4a")   # float32 [S, C] at the file's rate
    >>> native.rate, native.channels
    (48000, 2)
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.audio.resample import StreamingResampler
from core.jobs.errors import BadInput
from core.jobs.message import Text

AUDIO_RATE = 16000
# less audio than the header states by more than this (seconds, fraction) is a truncated file
TRUNCATED_S = 0.5
TRUNCATED_FRACTION = 0.05
ACCEPTED = Text(
    "a WAV (16-, 24- or 32-bit, any rate, mono or stereo), mp3, m4a/AAC, FLAC, Ogg/Opus file, "
    "or a video with sound"
)


@dataclass(frozen=True)
class NativeAudio:
    """A file's audio as it is: float32 ``samples`` [S, C] in [-1, 1] at ``rate`` Hz."""

    samples: np.ndarray
    rate: int

    @property
    def channels(self) -> int:
        return int(self.samples.shape[1])

    @property
    def seconds(self) -> float:
        return self.samples.shape[0] / self.rate


def read_audio(path: Path | str, rate: int = AUDIO_RATE, duration: float | None = None) -> np.ndarray:
    """The first audio stream of `path` as float32 mono at `rate` [S].

    With `duration` (seconds) the result is cut or zero-padded to exactly that long. A missing
    file, a file FFmpeg cannot read, one without an audio stream or without a single sample is
    a `BadInput` that names the file and says what is accepted.
    """
    audio, _ = _read(path, duration, rate)
    return audio[:, 0]


def read_audio_native(path: Path | str, duration: float | None = None) -> NativeAudio:
    """The first audio stream of `path` at its own rate and channels (aligned as :func:`read_audio`).

    Same errors as :func:`read_audio`. A stream of more than two channels is mixed down to stereo
    (what an AAC track in an mp4 player expects) by FFmpeg's downmix, which knows each channel's
    place (5.1's centre, where the dialogue is, to both sides); mono and stereo are kept as they are.
    """
    audio, rate = _read(path, duration, None)
    return NativeAudio(np.ascontiguousarray(audio), rate)


def _read(path: Path | str, duration: float | None, rate: int | None) -> tuple[np.ndarray, int]:
    """([S, C] float32, its rate): mono at `rate`, or every channel at the native rate (None)."""
    import av

    path = Path(path)
    if not path.exists():
        raise BadInput(Text("Audio file not found: {path}. Give {accepted}.", path=path, accepted=ACCEPTED))
    if not path.is_file():
        raise BadInput(
            Text("{path} is a folder, not an audio file. Give {accepted}.", path=path, accepted=ACCEPTED)
        )
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise BadInput(
            Text(
                "{path} is not a readable audio file, or it is truncated or corrupt ({exc}). "
                "Give {accepted}.",
                path=path,
                exc=exc,
                accepted=ACCEPTED,
            )
        ) from None
    try:
        if not container.streams.audio:
            raise BadInput(Text("{path} has no audio stream. Give {accepted}.", path=path, accepted=ACCEPTED))
        declared = _declared_seconds(container, path)
        try:
            start = _first_video_time(container) if container.streams.video else None
            audio, first_time, rate = _decode(container, rate)
        except (av.error.FFmpegError, ValueError) as exc:
            raise BadInput(
                Text(
                    "{path}: the audio stream cannot be decoded, the file is corrupt or truncated "
                    "({exc}). Give {accepted}.",
                    path=path,
                    exc=exc,
                    accepted=ACCEPTED,
                )
            ) from None
    finally:
        container.close()
    if declared is not None and audio.shape[0] > round(declared * rate):
        # the codec's padding past the stated end (AAC fills its last 1024-sample frame): a 4 s
        # m4a decodes to 4.011 s, and its render had a frame more than its sound
        audio = audio[: round(declared * rate)]
    got = audio.shape[0] / rate
    if declared is not None and got < declared - max(TRUNCATED_S, TRUNCATED_FRACTION * declared):
        raise BadInput(
            Text(
                "{path} is truncated: its header says {declared:.2f} s of audio but only "
                "{got:.2f} s are in the file (a download or a copy cut short, or a recording "
                "that did not finish). Re-export or re-download it.",
                path=path,
                declared=declared,
                got=got,
            )
        )
    if start is not None:
        offset = int(round((first_time - start) * rate))
        if offset > 0:
            audio = np.concatenate([np.zeros((offset, audio.shape[1]), np.float32), audio])
        else:
            audio = audio[-offset:]
    if duration is not None:
        n = int(round(duration * rate))
        audio = audio[:n] if len(audio) >= n else np.pad(audio, ((0, n - len(audio)), (0, 0)))
    elif audio.shape[0] == 0:
        raise BadInput(Text("{path} holds no audio samples. Give {accepted}.", path=path, accepted=ACCEPTED))
    return audio, rate


def _declared_seconds(container, path: Path) -> float | None:
    """The audio stream's length as its header states it, where the header says it exactly.

    A WAV's is its data chunk's size (FFmpeg shortens that to the file it finds). None when the
    file does not say, and for mp3, whose length FFmpeg may only estimate from the bit rate (a
    VBR file without a Xing header).
    """
    stream = container.streams.audio[0]
    if container.format.name == "wav":
        return _wav_data_seconds(path)
    if not stream.duration or stream.time_base is None or container.format.name == "mp3":
        return None
    return float(stream.duration * stream.time_base)


def _wav_data_seconds(path: Path) -> float | None:
    """Seconds a RIFF WAV's header gives its samples (data bytes / block align / rate), or None
    (no such header in the first 64 KiB, or a size left open by a streaming writer)."""
    import struct

    with open(path, "rb") as f:
        head = f.read(1 << 16)
    if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return None
    pos, rate, align = 12, 0, 0
    while pos + 8 <= len(head):
        tag, size = head[pos : pos + 4], struct.unpack_from("<I", head, pos + 4)[0]
        if tag == b"fmt " and pos + 20 <= len(head):
            rate, align = (
                struct.unpack_from("<I", head, pos + 12)[0],
                struct.unpack_from("<H", head, pos + 20)[0],
            )
        if tag == b"data":
            open_size = size in (0, 0xFFFFFFFF)
            return None if open_size or not rate or not align else size / align / rate
        pos += 8 + size + (size & 1)
    return None


def _decode(container, rate: int | None) -> tuple[np.ndarray, float, int]:
    """(float32 [S, C], time of the first decoded sample in seconds, the rate of the samples).

    With `rate` the channels are averaged and resampled to it (C = 1); with None every channel
    is kept at the stream's own rate.
    """
    import av

    container.seek(0)
    stream = container.streams.audio[0]
    # float planar [channels, n] at the stream's rate; more than two channels as FFmpeg mixes them
    # to stereo for the native view (the model's mono view averages whatever comes)
    many = len(stream.layout.channels) > 2 if stream.layout is not None else False
    to_float = av.AudioResampler(format="fltp", layout="stereo" if rate is None and many else None)
    resampler: StreamingResampler | None = None
    native: int | None = None
    chunks: list[np.ndarray] = []
    first_time: float | None = None
    for frame in itertools.chain(container.decode(stream), [None]):  # None flushes the converter
        if frame is not None and first_time is None and frame.time is not None:
            first_time = float(frame.time)
        for f in to_float.resample(frame):
            planar = f.to_ndarray().reshape(len(f.layout.channels), -1)
            if native is None:
                native = int(f.sample_rate)
                if rate is not None and native != rate:
                    resampler = StreamingResampler(native, rate)
            if rate is None:
                chunks.append(planar.T.astype(np.float32))
                continue
            mono = planar.mean(axis=0, dtype=np.float32)
            chunks.append((resampler.push(mono) if resampler is not None else mono)[:, None])
    if resampler is not None:
        chunks.append(resampler.flush()[:, None])
    out_rate = rate if rate is not None else (native or int(stream.rate or AUDIO_RATE))
    channels = chunks[0].shape[1] if chunks else 1
    audio = (
        np.concatenate(chunks).astype(np.float32, copy=False)
        if chunks
        else np.zeros((0, channels), np.float32)
    )
    return audio, first_time or 0.0, out_rate


def _first_video_time(container) -> float:
    for frame in container.decode(container.streams.video[0]):
        if frame.time is not None:
            return float(frame.time)
    return 0.0
