"""Encode frames (and optionally audio at any AAC rate, mono or stereo) into an mp4 with PyAV, atomically.

The audio track keeps what it is given: a render or a live recording passes the input's own rate
and channels (:func:`core.media.audio.read_audio_native`), so 48 kHz stereo speech stays 48 kHz
stereo; :func:`aac_rate` says which rate a source rate is written at (AAC's own list; a rate
outside it is resampled, by :func:`for_aac`, to the next one above). Samples go to the encoder
as float (planar), so 24-bit sources are not cut to 16 bits before AAC.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from core.audio.resample import resample
from core.io import atomic

AAC_RATES = (7350, 8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 64000, 88200, 96000)
LAYOUTS = {1: "mono", 2: "stereo"}


def aac_rate(rate: int) -> int:
    """The rate an AAC track holds a ``rate`` Hz source at: itself when AAC has it, else the next above."""
    return next((r for r in AAC_RATES if r >= rate), AAC_RATES[-1])


def for_aac(samples: np.ndarray, rate: int) -> tuple[np.ndarray, int]:
    """``samples`` [S] or [S, C] resampled to :func:`aac_rate` when AAC lacks ``rate`` (else as given)."""
    target = aac_rate(rate)
    if target == rate:
        return samples, rate
    if samples.ndim == 1:
        return resample(samples, rate, target).astype(np.float32), target
    cols = [resample(np.ascontiguousarray(samples[:, c]), rate, target) for c in range(samples.shape[1])]
    return np.stack(cols, axis=1).astype(np.float32), target


@dataclass(frozen=True)
class EncoderOptions:
    """The encoders' speed settings (quality is `crf`'s and the AAC bit rate's): files for later use
    take the defaults; a live recording, which shares the CPU with the frames it records, takes
    `LIVE_ENCODER`."""

    preset: str = "veryfast"  # libx264
    tune: str | None = None  # "zerolatency": no lookahead or B-frames, each frame encoded as it comes
    threads: int | None = None  # None: x264's own choice (about 1.5 per core)
    aac_coder: str | None = None  # FFmpeg's AAC quantiser search; None: its default ("twoloop")


# benchmarks/bench_live_recorder.py (512^2 at crf 20, 48 kHz stereo; this CPU): x264 ultrafast costs
# about 0.35x veryfast's CPU per frame at as high a PSNR (38.9 vs 38.2 dB) for about twice the bytes;
# the "fast" AAC coder 0.23x twoloop's at the same SNR (29.2 vs 28.6 dB). x264 keeps its own frame
# threads: encoding on the calling thread (one thread, or zerolatency's slices) kept the GIL long
# enough that the live engine's source thread delivered late (bench_live_latency `rec`: block p95 7 ms).
LIVE_ENCODER = EncoderOptions(preset="ultrafast", aac_coder="fast")


# BT.709 SDR, limited range, tagged (AVColorPrimaries, AVColorTransferCharacteristic, AVColorSpace,
# AVColorRange = BT709, BT709, BT709, MPEG): players and core.media.decode read it the same way
BT709_TAGS = {"color_primaries": 1, "color_trc": 1, "colorspace": 1, "color_range": 1}


class Mp4Writer:
    """Streaming mp4 writer: H.264 video (yuv420p, BT.709 SDR, colour-tagged) plus optional AAC audio.

    Frames go to a temporary file (core.io.atomic) that is renamed on `close()`, so a crash mid-write never
    leaves a truncated mp4 under the final name. `abort()` discards it.
    """

    def __init__(
        self,
        path: Path | str,
        width: int,
        height: int,
        fps: float,
        sample_rate: int | None = None,
        crf: int = 20,
        channels: int = 1,
        encoder: EncoderOptions | None = None,
    ) -> None:
        import av

        if sample_rate is not None and sample_rate not in AAC_RATES:
            raise ValueError(f"AAC has no {sample_rate} Hz rate (resample with for_aac); rates: {AAC_RATES}")
        if channels not in LAYOUTS:
            raise ValueError(f"audio channels must be 1 or 2 (got {channels})")

        self.path = Path(path)
        self._out = atomic.AtomicOutput(self.path, suffix=".mp4")
        try:
            self._container = av.open(str(self._out.tmp), mode="w", format="mp4")
        except BaseException:
            self._out.discard()
            raise
        rate = Fraction(fps).limit_denominator(1001)
        self._video = self._container.add_stream("libx264", rate=rate)
        self._video.width = width - width % 2
        self._video.height = height - height % 2
        self._video.pix_fmt = "yuv420p"
        for tag, value in BT709_TAGS.items():
            setattr(self._video.codec_context, tag, value)
        enc = encoder or EncoderOptions()
        self._video.options = {
            "crf": str(crf),
            "preset": enc.preset,
            **({"tune": enc.tune} if enc.tune else {}),
        }
        if enc.threads:
            self._video.thread_count = enc.threads
        self._audio = None
        self._sample_rate = sample_rate
        self._channels = channels
        self._audio_pts = 0
        if sample_rate is not None:
            self._audio = self._container.add_stream("aac", rate=sample_rate)
            self._audio.layout = LAYOUTS[channels]
            self._audio.bit_rate = 64000 * channels if sample_rate <= 24000 else 96000 * channels
            if enc.aac_coder:
                self._audio.options = {"aac_coder": enc.aac_coder}
        self.frames_written = 0

    def write_frame(self, frame_bgr: np.ndarray) -> None:
        import av

        from core.media.yuv import bgr8_to_i420  # OpenCV: loaded on the first frame

        h, w = self._video.height, self._video.width
        # the BT.709 matrix, rounded once (swscale's default loses 1-3 levels per channel);
        # core.media.decode reads the tags and converts back with the same matrix
        planes = bgr8_to_i420(np.ascontiguousarray(frame_bgr[:h, :w]), "bt709")
        frame = av.VideoFrame.from_ndarray(planes, format="yuv420p")
        for tag, value in BT709_TAGS.items():
            setattr(frame, tag, value)
        for packet in self._video.encode(frame):
            self._container.mux(packet)
        self.frames_written += 1

    def write_audio(self, samples: np.ndarray) -> None:
        """Float samples in [-1, 1] at the writer's rate: [S] (mono) or [S, C]; any chunk size.

        Mono given to a stereo writer goes to both channels; stereo given to a mono writer is mixed.
        """
        import av

        if self._audio is None:
            raise RuntimeError("this writer was opened without audio")
        x = np.asarray(samples, np.float32)
        x = x[:, None] if x.ndim == 1 else x
        if x.shape[1] != self._channels:
            x = np.repeat(x[:, :1], self._channels, 1) if x.shape[1] == 1 else x.mean(1, keepdims=True)
        planar = np.ascontiguousarray(np.clip(x, -1.0, 1.0).T)
        if planar.shape[1] == 0:
            return
        frame = av.AudioFrame.from_ndarray(planar, format="fltp", layout=LAYOUTS[self._channels])
        frame.sample_rate = self._sample_rate
        frame.pts = self._audio_pts
        self._audio_pts += planar.shape[1]
        for packet in self._audio.encode(frame):
            self._container.mux(packet)

    def close(self) -> Path:
        """Flush the encoders and move the file to its name; on any failure nothing is left."""
        try:
            for stream in (self._video, self._audio):
                if stream is not None:
                    for packet in stream.encode(None):
                        self._container.mux(packet)
            self._container.close()
            return self._out.commit()
        except BaseException:
            self.abort()
            raise

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            self._container.close()
        self._out.discard()

    def __enter__(self) -> Mp4Writer:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()
