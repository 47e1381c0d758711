"""Decode a video file with PyAV: probe, frames in decode order or re-timed to a constant rate.

Frames are re-timed to a constant target rate by their timestamps: output frame k shows the
source frame nearest to time k / fps (measured from the first video frame), so variable or
non-integer rates (22.13 fps, 29.97 fps, phone VFR) keep their duration and stay in sync with the
audio, which is cut to start at the first video frame too.

Frames come out as BT.709 SDR progressive pixels whatever the source: each frame's colour tags
choose its conversion (core.media.convert: the stream's matrix and range; HDR HLG/PQ tone-mapped,
BT.2020 primaries gamut-mapped by core.media.tonemap), and an interlaced stream is deinterlaced
(core.media.deinterlace). `VideoInfo.conversions` says in words what was done.

Every user error (missing file, not a video, corrupt or empty stream) is a `BadInput` that names
the file and says what to do.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from core.jobs.errors import BadInput
from core.jobs.message import Text
from core.media import deinterlace
from core.media.colour import frame_colour
from core.media.convert import frame_to_array


@dataclass(frozen=True)
class VideoInfo:
    """What the source file holds, after rotation (width/height as displayed)."""

    path: str
    width: int
    height: int
    fps: float  # average source rate
    frame_count: int  # source frames (counted by decoding when the container does not say)
    duration: float  # seconds, first video frame to the end of the last
    rotation: int  # degrees counter-clockwise applied to the stored frames to display them
    has_audio: bool
    audio_rate: int | None
    codec: str = ""
    constant_rate: bool = False  # every frame lasts 1 / fps (within 10%)
    # what decoding does to the frames beyond reading them, in words: "HDR (HLG) converted to SDR
    # BT.709", "interlaced (top field first) deinterlaced"; empty for SDR BT.709 progressive video
    conversions: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return asdict(self)

    def output_frames(self, fps: float) -> int:
        """Frames at a constant `fps` covering the source duration."""
        return max(1, int(math.floor(self.duration * fps + 0.5)))


def _open(path: Path):
    import av

    if not path.exists():
        raise BadInput(
            Text("Video file not found: {path}. Check the path (and that the drive is mounted).", path=path)
        )
    if not path.is_file():
        raise BadInput(
            Text(
                "{path} is a folder, not a video file. Give the path of a video file (mp4, mov, mkv...).",
                path=path,
            )
        )
    try:
        container = av.open(str(path))
    except (av.error.InvalidDataError, av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise BadInput(
            Text(
                "{path} is not a readable video, or it is truncated or corrupt ({exc}). Give a "
                "complete video file (mp4, mov, mkv, webm...); re-export or re-download it if it "
                "was cut short.",
                path=path,
                exc=exc,
            )
        ) from None
    if not container.streams.video:
        container.close()
        raise BadInput(
            Text("{path} has no video stream (is it an audio file?). Give a video of the speaker.", path=path)
        )
    return container


def frame_to_bgr(frame) -> np.ndarray:
    """A decoded PyAV frame as BT.709 SDR BGR uint8 [H, W, 3], by its colour tags
    (core.media.convert: untagged or BT.601 8-bit 4:2:0 goes through OpenCV's I420 conversion,
    rounded correctly, as before; HDR is tone-mapped)."""
    return frame_to_array(frame, rgb=False)


def frame_to_rgb(frame) -> np.ndarray:
    """`frame_to_bgr` with the channels in RGB order (the same values, no extra conversion)."""
    return frame_to_array(frame, rgb=True)


def _conversions(stream, first) -> tuple[str, ...]:
    said = frame_colour(first).conversion()
    interlacing = deinterlace.detect(stream, first)
    return tuple(x for x in (said, interlacing and interlacing.describe()) if x)


def _rotation_of(frame) -> int:
    rot = int(round(getattr(frame, "rotation", 0) or 0)) % 360
    return rot - rot % 90


def _rotate(img: np.ndarray, rotation: int) -> np.ndarray:
    """Turn a stored frame the way a player displays it (counter-clockwise by `rotation`)."""
    k = (rotation // 90) % 4
    return np.ascontiguousarray(np.rot90(img, k)) if k else img


def probe(path: Path | str) -> VideoInfo:
    """Read the headers and every video packet's timestamp (demux only, no decoding: fast).

    Walking all packets catches files cut short before anything is written; the first frame is
    decoded for its size and rotation.
    """
    return _probe(path, rgb=None)[0]


def probe_with_first_frame(path: Path | str, rgb: bool = False) -> tuple[VideoInfo, np.ndarray]:
    """`probe`, and the first frame it decodes anyway, display-oriented BGR (RGB with `rgb`): the
    frame `iter_frames` yields first at any rate, so a caller can start on it before its own
    decoder has produced a frame."""
    return _probe(path, rgb)


def _probe(path: Path | str, rgb: bool | None) -> tuple[VideoInfo, np.ndarray | None]:
    """`probe`; with `rgb` not None, also the first frame's pixels (as `iter_frames` converts them)."""
    import av

    path = Path(path)
    container = _open(path)
    try:
        stream = container.streams.video[0]
        times: list[float] = []
        hidden = 0  # pre-roll packets an edit list hides: in the header's count, never shown
        first = None
        try:
            for packet in container.demux(stream):
                if packet.pts is None or packet.size == 0:
                    continue
                if packet.is_discard:
                    # a pre-roll frame an edit list hides (an `ffmpeg -ss -c copy` cut, some
                    # phones): decoded as a reference, never shown, so not a frame of the clip
                    hidden += 1
                    continue
                times.append(float(packet.pts * packet.time_base))
                if first is None:
                    for frame in packet.decode():
                        first = frame
                        break
        except (av.error.FFmpegError, ValueError) as exc:
            raise BadInput(
                Text(
                    "{path} is truncated or corrupt: reading stopped after {n_times} frames ({exc}). "
                    "Re-export or re-download the video.",
                    path=path,
                    n_times=len(times),
                    exc=exc,
                )
            ) from None
        if not times:
            raise BadInput(
                Text(
                    "{path} has a video stream with zero frames. Give a video with at least one frame.",
                    path=path,
                )
            )
        declared = int(stream.frames or 0)
        if declared and len(times) + hidden < declared - max(2, declared // 100):
            raise BadInput(
                Text(
                    "{path} is truncated: its header lists {declared} video frames but only "
                    "{n_times} are in the file. Re-export or re-download the video.",
                    path=path,
                    declared=declared,
                    n_times=len(times),
                )
            )
        if first is None:
            first = _first_frame(container, path)
        times.sort()
        rate = float(stream.average_rate or stream.guessed_rate or 0) or (
            (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 and times[-1] > times[0] else 25.0
        )
        duration = times[-1] - times[0] + 1.0 / rate
        steps = np.diff(times)
        constant = bool(len(steps) == 0 or np.abs(steps - 1.0 / rate).max() < 0.1 / rate)
        rotation = _rotation_of(first)
        width, height = (first.height, first.width) if rotation in (90, 270) else (first.width, first.height)
        audio = container.streams.audio[0] if container.streams.audio else None
        interlaced = deinterlace.detect(stream, first) is not None
        pixels = None
        if rgb is not None:  # deinterlaced, frame 0 depends on frame 1: the decode path's own first frame
            pixels = _first_pixels(path, rgb) if interlaced else _rotate(frame_to_array(first, rgb), rotation)
        info = VideoInfo(
            path=str(path),
            width=width,
            height=height,
            fps=rate,
            frame_count=len(times),
            duration=duration,
            rotation=rotation,
            has_audio=audio is not None,
            audio_rate=int(audio.rate) if audio is not None else None,
            codec=str(stream.codec_context.name),
            constant_rate=constant,
            conversions=_conversions(stream, first),
        )
        return info, pixels
    finally:
        container.close()


def _first_pixels(path: Path, rgb: bool) -> np.ndarray:
    container = _open(path)
    try:
        stream = container.streams.video[0]
        frame = next(_frames(container, stream, path))
        return _rotate(frame_to_array(frame, rgb), _rotation_of(frame))
    finally:
        container.close()


def _first_frame(container, path: Path):
    """Decode from the start until a frame comes out (decoders with delay hold the first packets)."""
    import av

    container.seek(0)
    try:
        for frame in container.decode(container.streams.video[0]):
            return frame
    except (av.error.FFmpegError, ValueError) as exc:
        raise BadInput(
            Text(
                "{path} is corrupt: no frame could be decoded ({exc}). Re-export the video.",
                path=path,
                exc=exc,
            )
        ) from None
    raise BadInput(
        Text("{path}: no video frame could be decoded. Give a video with at least one frame.", path=path)
    )


def iter_frames(
    path: Path | str, fps: float, frame_count: int | None = None, rgb: bool = False
) -> Iterator[np.ndarray]:
    """Yield display-oriented BGR uint8 frames (RGB with `rgb`) at a constant `fps`, `frame_count` of them.

    Output frame k is the source frame whose timestamp is nearest to k / fps after the first
    frame; missing tail frames (a last frame shorter than its nominal duration) repeat the last.
    A source frame that no output time shows (a faster source) is decoded but never converted.
    """
    path = Path(path)
    container = _open(path)

    def pixels(frame) -> np.ndarray:
        return _rotate(frame_to_array(frame, rgb), _rotation_of(frame))

    try:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        k = 0
        start = None
        prev = None  # (time, PyAV frame) of the last decoded frame not yet superseded
        for frame in _frames(container, stream, path):
            t = float(frame.time)
            if start is None:
                start = t
            t -= start
            if prev is not None:
                # every output time before the midpoint of the two source frames shows `prev`
                mid = 0.5 * (prev[0] + t)
                shown = None
                while (frame_count is None or k < frame_count) and k / fps < mid:
                    shown = pixels(prev[1]) if shown is None else shown
                    yield shown
                    k += 1
            if frame_count is not None and k >= frame_count:
                return
            prev = (t, frame)
        if prev is not None:
            end = frame_count if frame_count is not None else k + 1
            shown = pixels(prev[1]) if k < end else None
            while k < end:
                yield shown
                k += 1
    finally:
        container.close()


def decoded_frames(path: Path | str) -> Iterator[np.ndarray]:
    """Every frame of a video in decode order, display-oriented BGR uint8 [H, W, 3], one at a time.

    The one frame reader: prepared clips, training crops, rendering and the live source loop all
    decode through here (and `iter_frames`, which re-times these frames to a constant rate).
    """
    path = Path(path)
    container = _open(path)
    try:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for frame in _frames(container, stream, path):
            yield _rotate(frame_to_bgr(frame), _rotation_of(frame))
    finally:
        container.close()


def read_frames(path: Path | str, indices: Sequence[int] | None = None) -> np.ndarray:
    """Frames [n, H, W, 3] BGR uint8 by decode order; `indices` in any order, repeats allowed.

    Decoding stops after the last wanted frame. A frame past the end is a `BadInput` naming it.
    """
    wanted = None if indices is None else sorted({int(i) for i in indices})
    if wanted is not None and not wanted:
        return np.zeros((0, 0, 0, 3), np.uint8)
    want = set(wanted or ())
    got: dict[int, np.ndarray] = {}
    frames: list[np.ndarray] = []
    for i, frame in enumerate(decoded_frames(path)):
        if wanted is None:
            frames.append(frame)
            continue
        if i in want:
            got[i] = frame
        if i >= wanted[-1]:
            break
    if wanted is None:
        return np.stack(frames) if frames else np.zeros((0, 0, 0, 3), np.uint8)
    missing = [i for i in wanted if i not in got]
    if missing:
        raise BadInput(
            Text(
                "{path} has no frame(s) {missing}; the file is damaged or shorter than expected.",
                path=path,
                missing=missing[:5],
            )
        )
    return np.stack([got[int(i)] for i in indices])


def _frames(container, stream, path: Path) -> Iterator:
    """Decoded frames with timestamps, deinterlaced when the stream is interlaced (decided on the
    first frame: the codec's field order, the frame's flag)."""
    frames = _decode_checked(container, stream, path)
    first = next(frames, None)
    if first is None:
        return
    interlacing = deinterlace.detect(stream, first)
    if interlacing is None:
        yield first
        yield from frames
        return
    deinterlacer = deinterlace.Deinterlacer(stream, interlacing)
    yield from (f for f in deinterlacer.run(itertools.chain([first], frames)) if f.time is not None)


def _decode_checked(container, stream, path: Path) -> Iterator:
    """Decoded frames with timestamps; a decoding error mid-file is a `BadInput` (corrupt file)."""
    import av

    n = 0
    it = container.decode(stream)
    while True:
        try:
            frame = next(it)
        except StopIteration:
            return
        except (av.error.FFmpegError, ValueError) as exc:
            raise BadInput(
                Text(
                    "{path} is truncated or corrupt: decoding failed after {n} frames ({exc}). "
                    "Re-export or re-download the video.",
                    path=path,
                    n=n,
                    exc=exc,
                )
            ) from None
        if frame.time is not None:
            n += 1
            yield frame
