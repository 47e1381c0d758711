"""Where live frames and audio go: the GUI's newest-frame slot, the mp4 recorder, a virtual
camera, and a delayed audio monitor.

Sinks never slow the renderer: the slot swaps a reference, the recorder and the monitor
have their own threads / audio callback behind bounded buffers. Frames arrive with their
video index; the recorder fills any gap (a dropped frame) by repeating the previous frame,
so its video timeline always matches the audio it records. The recorder encodes at a higher
nice value (`RECORDER_NICE`, `core.realtime.thread_priority`): on a busy CPU the frame path wins;
and with the live encoder settings (`core.media.mp4_writer.LIVE_ENCODER`: x264 ultrafast on its
own threads, the fast AAC coder), about a third of the CPU per frame of the render settings at the
same size, rates, channels and as high a PSNR (`benchmarks/bench_live_recorder.py`).
"""

from __future__ import annotations

import queue
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from core.jobs.errors import BadInput
from core.jobs.message import Text
from core.jobs.preview_slot import PreviewSlot
from core.realtime.ring_buffer import AudioRingBuffer
from core.realtime.thread_priority import lower_this_thread

if TYPE_CHECKING:
    from core.media.mp4_writer import EncoderOptions

RECORDER_NICE = 2  # of the encoding threads (the engine's keep 0): 5 made the encoder skip frames when busy


class VideoSink:
    name = "sink"
    native_audio = False  # True: `audio` gets the input as it came (AudioSource.native), not 16 kHz

    def frame(self, index: int, bgr: np.ndarray) -> None: ...

    def audio(self, samples: np.ndarray) -> None:
        """Input audio, in order, from sample 0 (the audio clock): 16 kHz mono [n], or with
        `native_audio` the source's own rate and channels [n, C] (`AudioSource.native_format`)."""

    def input_format(self, rate: int, channels: int) -> None:
        """With `native_audio`: what `audio` will be given (the engine calls this before any)."""

    def close(self, total_frames: int | None = None) -> None: ...

    def info(self) -> dict:
        return {}


class FrameSlot(PreviewSlot[tuple[int, np.ndarray]], VideoSink):
    """Newest frame wins: the view polls `latest(seen_id)` -> (write id, (video index, BGR frame))
    on its timer and skips when nothing is new (the same slot the Qt runner keeps previews in)."""

    name = "view"

    def frame(self, index: int, bgr: np.ndarray) -> None:
        self.put((index, bgr))


_END = object()


class RecorderSink(VideoSink):
    """mp4 (H.264 + AAC) of the output frames and the input audio, written on its own thread.

    The sound is the input as it came (``native_audio``): build it with the source's
    ``native_format`` (`for_source`), so a 48 kHz stereo file stays 48 kHz stereo in the recording
    (a rate AAC lacks is resampled to the next AAC rate, as it streams).

    `close()` finalises the file even after a fault, so a partial recording stays playable.
    A recording started mid-session (`LiveEngine.record`) begins at a frame boundary: `begin_at`
    sets the session frame that becomes its first and the input samples before that frame's
    start to drop, so its video and audio start together.
    """

    name = "recorder"
    native_audio = True

    def __init__(
        self,
        path: Path | str,
        size: tuple[int, int],
        fps: float,
        sample_rate: int = 16000,
        max_pending_frames: int = 50,
        channels: int = 1,
        nice: int = RECORDER_NICE,
        encoder: EncoderOptions | None = None,  # None: LIVE_ENCODER (a fast preset: the CPU is the engine's)
    ) -> None:
        from core.media.mp4_writer import LIVE_ENCODER, Mp4Writer, aac_rate

        self.path = Path(path)
        self.fps = fps
        self.channels = min(int(channels), 2)
        self._file_rate = aac_rate(int(sample_rate))
        self.input_format(int(sample_rate), self.channels)
        self._writer = Mp4Writer(
            self.path,
            size[0],
            size[1],
            fps,
            sample_rate=self._file_rate,
            channels=self.channels,
            encoder=encoder or LIVE_ENCODER,
        )
        self._queue: queue.Queue = queue.Queue()
        self._pending = 0  # video frames queued, bounded by max_pending_frames
        self._pending_lock = threading.Lock()
        self._max_pending = max_pending_frames
        self._next = 0  # next video index to write
        self._last: np.ndarray | None = None
        self.frames_repeated = 0
        self.frames_skipped = 0  # frames the recorder could not keep up with (repeated instead)
        self.audio_samples = 0
        self.first_frame = 0  # session frame written as this file's frame 0
        self._skip_samples = 0  # input samples still to drop before the first frame's start
        self.error: BaseException | None = None
        self._closed = False
        self.nice = int(nice)  # of the encoding thread and the encoder's threads (0: the default)
        self.priority = "default"
        self._thread = threading.Thread(target=self._run, name="recorder", daemon=True)
        self._thread.start()

    def input_format(self, rate: int, channels: int) -> None:
        """The audio given will be at `rate` (resampled to the file's rate when they differ; extra
        channels are mixed, a mono input fills both channels of a stereo file)."""
        from core.audio.resample import StreamingResampler

        self.sample_rate = int(rate)
        self._resamplers = (
            [StreamingResampler(self.sample_rate, self._file_rate) for _ in range(self.channels)]
            if self.sample_rate != self._file_rate
            else None
        )

    @classmethod
    def for_source(cls, path: Path | str, size: tuple[int, int], fps: float, source) -> RecorderSink:
        """A recorder whose sound track has `source`'s native rate and channels (an AudioSource)."""
        rate, channels = source.native_format
        return cls(path, size, fps, sample_rate=rate, channels=channels)

    def begin_at(self, first_frame: int, skip_samples: int) -> None:
        """Before any audio or frame arrives: start at session frame `first_frame`, whose start
        lies `skip_samples` into the audio this sink will be given."""
        self.first_frame, self._skip_samples = int(first_frame), int(skip_samples)

    def frame(self, index: int, bgr: np.ndarray) -> None:
        index -= self.first_frame
        if index < 0 or self._closed:
            return
        with self._pending_lock:
            if self._pending >= self._max_pending:
                self.frames_skipped += 1
                return
            self._pending += 1
        self._queue.put(("v", index, bgr))

    def audio(self, samples: np.ndarray) -> None:
        if self._skip_samples:
            drop = min(self._skip_samples, samples.shape[0])
            self._skip_samples -= drop
            samples = samples[drop:]
        if samples.size and not self._closed:
            self._queue.put(("a", 0, np.array(samples, np.float32)))  # never dropped: the audio is the clock

    def _write_video(self, index: int, bgr: np.ndarray | None) -> None:
        # gap (frames dropped to keep up): repeat the last frame, or before the first one this one,
        # so the video keeps the audio's timeline from the recording's first frame on
        fill = self._last if self._last is not None else bgr
        while self._next < index and fill is not None:
            self._writer.write_frame(fill)
            self._next += 1
            self.frames_repeated += 1
        if bgr is not None and index >= self._next:
            self._writer.write_frame(bgr)
            self._last = bgr
            self._next = index + 1

    def _run(self) -> None:
        if self.nice > 0:  # before the first frame: the encoder starts its threads then
            self.priority = lower_this_thread(self.nice)
        while True:
            item = self._queue.get()
            if item is _END:
                return
            if self.error is not None:
                continue  # keep draining so producers never block
            kind, index, data = item
            try:
                if kind == "v":
                    with self._pending_lock:
                        self._pending -= 1
                    self._write_video(index, data)
                else:
                    self.audio_samples += data.shape[0]
                    self._writer.write_audio(self._to_aac(data))
            except BaseException as exc:
                self.error = exc

    def _to_aac(self, data: np.ndarray) -> np.ndarray:
        x = data.reshape(data.shape[0], -1)
        if x.shape[1] > self.channels:  # more channels than the file: mix (Mp4Writer does the rest)
            x = x.mean(axis=1, keepdims=True)
        if self._resamplers is None:
            return x
        cols = [
            r.push(np.ascontiguousarray(x[:, min(c, x.shape[1] - 1)])) for c, r in enumerate(self._resamplers)
        ]
        return np.stack(cols, axis=1)

    def close(self, total_frames: int | None = None) -> None:
        """Finish the file; with `total_frames` (session frames), repeat the last frame up to there."""
        if self._closed:
            return
        self._closed = True
        self._queue.put(_END)
        self._thread.join()
        if self.error is None and total_frames is not None:
            try:
                self._write_video(total_frames - self.first_frame, None)
            except BaseException as exc:
                self.error = exc
        if self._writer.frames_written == 0:
            self._writer.abort()  # nothing to play: leave no empty file behind
            return
        self._writer.close()

    def info(self) -> dict:
        return {
            "path": str(self.path),
            "frames_written": self._writer.frames_written,
            "frames_repeated": self.frames_repeated,
            "frames_skipped": self.frames_skipped,
            "audio_seconds": self.audio_samples / self.sample_rate,
            "audio_format": f"{self._file_rate} Hz, {self.channels} ch",  # of the file
            "priority": self.priority,  # of the encoding threads
            "error": None if self.error is None else f"{type(self.error).__name__}: {self.error}",
        }


class VirtualCameraSink(VideoSink):
    """pyvirtualcam output (optional dependency, checked when asked for)."""

    name = "virtual_camera"

    def __init__(self, size: tuple[int, int], fps: float) -> None:
        try:
            import pyvirtualcam
        except ImportError:
            raise BadInput(
                Text(
                    "the virtual camera needs `pyvirtualcam` (pip install pyvirtualcam) and a "
                    "virtual camera driver (v4l2loopback on Linux, OBS on Windows/macOS)"
                )
            ) from None
        try:
            self._cam = pyvirtualcam.Camera(
                width=size[0], height=size[1], fps=fps, fmt=pyvirtualcam.PixelFormat.BGR
            )
        except RuntimeError as exc:
            raise BadInput(Text("cannot open a virtual camera: {exc}", exc=exc)) from None
        self.frames_sent = 0

    def frame(self, index: int, bgr: np.ndarray) -> None:
        self._cam.send(bgr)
        self.frames_sent += 1

    def close(self, total_frames: int | None = None) -> None:
        self._cam.close()

    def info(self) -> dict:
        return {"frames_sent": self.frames_sent}


class AudioMonitor(VideoSink):
    """Plays the input audio delayed by `delay_ms`, so what you hear matches the avatar you see.

    The engine writes audio into a ring; the output callback `pull`s from it and counts an
    underrun whenever the ring cannot fill a whole block (the gap is filled with silence).
    """

    name = "monitor"

    def __init__(
        self,
        delay_ms: float,
        sample_rate: int = 16000,
        device: int | str | None = None,
        open_stream: bool = True,
    ) -> None:
        self.rate = sample_rate
        self.delay = int(round(delay_ms * sample_rate / 1000))
        self.ring = AudioRingBuffer(
            capacity=max(4 * sample_rate, 2 * self.delay + sample_rate), sample_rate=sample_rate
        )
        self.ring.write(np.zeros(self.delay, np.float32), 0.0)  # the delay is a head start of silence
        self.underruns = 0
        self._stream = None
        if open_stream:
            from core.realtime.sources import import_sounddevice

            sd = import_sounddevice()
            try:
                self._stream = sd.OutputStream(
                    samplerate=sample_rate,
                    channels=1,
                    dtype="float32",
                    device=device,
                    callback=self._callback,
                )
                self._stream.start()
            except sd.PortAudioError as exc:
                raise BadInput(Text("cannot open an audio output for --monitor: {exc}", exc=exc)) from None

    def audio(self, samples: np.ndarray) -> None:
        self.ring.write(samples, 0.0)

    def pull(self, n: int) -> np.ndarray:
        block = self.ring.read(n).samples
        if block.shape[0] < n:
            self.underruns += 1
            block = np.concatenate([block, np.zeros(n - block.shape[0], np.float32)])
        return block

    def _callback(self, outdata, frames, time_info, status) -> None:
        outdata[:, 0] = self.pull(frames)

    def close(self, total_frames: int | None = None) -> None:
        if self._stream is not None:
            self._stream.stop()
            self._stream.close()
            self._stream = None

    def info(self) -> dict:
        return {
            "delay_ms": 1000.0 * self.delay / self.rate,
            "underruns": self.underruns,
            "overruns": self.ring.overrun_events,
        }
