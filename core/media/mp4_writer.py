"""Encode frames (and optionally 16 kHz mono audio) into an mp4 with PyAV, atomically."""

from __future__ import annotations

import contextlib
from fractions import Fraction
from pathlib import Path

import numpy as np

from core.io import atomic


class Mp4Writer:
    """Streaming mp4 writer: H.264 video (yuv420p) plus optional AAC audio.

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
    ) -> None:
        import av

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
        self._video.options = {"crf": str(crf), "preset": "veryfast"}
        self._audio = None
        self._sample_rate = sample_rate
        self._audio_pts = 0
        if sample_rate is not None:
            self._audio = self._container.add_stream("aac", rate=sample_rate)
            self._audio.layout = "mono"
        self.frames_written = 0

    def write_frame(self, frame_bgr: np.ndarray) -> None:
        import av
        import cv2

        h, w = self._video.height, self._video.width
        # OpenCV's BT.601 I420 conversion rounds correctly (swscale's default loses 1-3 levels
        # per channel) and pairs with core.media.decode.frame_to_bgr on the way back.
        planes = cv2.cvtColor(np.ascontiguousarray(frame_bgr[:h, :w]), cv2.COLOR_BGR2YUV_I420)
        frame = av.VideoFrame.from_ndarray(planes, format="yuv420p")
        for packet in self._video.encode(frame):
            self._container.mux(packet)
        self.frames_written += 1

    def write_audio(self, samples: np.ndarray) -> None:
        """Float samples in [-1, 1], mono, at the writer's sample rate; any chunk size."""
        import av

        if self._audio is None:
            raise RuntimeError("this writer was opened without audio")
        pcm = (np.clip(samples, -1, 1) * 32767).astype(np.int16).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
        frame.sample_rate = self._sample_rate
        frame.pts = self._audio_pts
        self._audio_pts += pcm.shape[1]
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
