"""Interlaced video (1080i camcorders, broadcast captures) -> progressive frames, one per frame.

Each interlaced frame holds two fields taken 1/50 or 1/60 s apart; shown as one image, anything
moving (the mouth) is combed, which ruins tracking and training. FFmpeg's `bwdif` filter (motion
adaptive, w3fdif + yadif; in PyAV's own FFmpeg build) rebuilds each frame from its first field
and the neighbouring frames where there is motion, and keeps the frame where there is none. It runs
in `send_frame` mode, one output per input with its timestamp, so the frame count and the rate do
not change; it holds one frame back, released by `flush`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

# AVFieldOrder: how the codec says a stream is coded
_FIELD_ORDER = {2: "top field first", 3: "bottom field first", 4: "top field first", 5: "bottom field first"}


@dataclass(frozen=True)
class Interlacing:
    """A stream's interlacing: `order` in words, and whether every frame carries the flag."""

    order: str  # "top field first", "bottom field first" or "field order from each frame"
    flagged: bool  # the decoder marks interlaced frames (bwdif then treats only those)

    def describe(self) -> str:
        return f"interlaced ({self.order}) deinterlaced"


def detect(stream, first_frame) -> Interlacing | None:
    """The stream's interlacing from the codec's field order and the first frame's flag; None when
    progressive. A codec field order of tt/bb/tb/bt is trusted even when frames carry no flag."""
    order = _FIELD_ORDER.get(int(getattr(stream.codec_context, "field_order", 0) or 0))
    flagged = bool(first_frame.interlaced_frame)
    if order is None and not flagged:
        return None
    return Interlacing(order or "field order from each frame", flagged)


class Deinterlacer:
    """bwdif on one stream's frames: `push` a frame, get the frames that are ready; `flush` at the end."""

    def __init__(self, stream, interlacing: Interlacing) -> None:
        import av.filter

        # the codec's field order when it states one: frames flag their order only when the stream
        # carries it per picture (H.264 pic_struct), and bwdif's "auto" takes an unflagged frame as
        # bottom field first
        parity = {"top field first": "tff", "bottom field first": "bff"}.get(interlacing.order, "auto")
        deint = "interlaced" if interlacing.flagged else "all"
        self._graph = av.filter.Graph()
        src = self._graph.add_buffer(template=stream)
        bwdif = self._graph.add("bwdif", f"mode=send_frame:parity={parity}:deint={deint}")
        sink = self._graph.add("buffersink")
        src.link_to(bwdif)
        bwdif.link_to(sink)
        self._graph.configure()

    def push(self, frame) -> list:
        self._graph.push(frame)
        return self._ready()

    def flush(self) -> list:
        self._graph.push(None)
        return self._ready()

    def _ready(self) -> list:
        import av

        out = []
        while True:
            try:
                out.append(self._graph.pull())
            except (av.error.BlockingIOError, av.error.EOFError):
                return out

    def run(self, frames: Iterable) -> Iterator:
        """Every frame of `frames`, deinterlaced, in order."""
        for frame in frames:
            yield from self.push(frame)
        yield from self.flush()
