"""Copy a video stream into a new mp4 without re-encoding, when the source already is what we need.

A prepared clip's video.mp4 must hold exactly frame_count frames at the target rate, upright. When
the source already has a constant rate equal to the target, no rotation, even dimensions, an
mp4-friendly codec and frames that need no conversion (SDR, progressive; HDR or interlaced sources
are encoded from their converted frames), copying its packets is lossless (trainers see the
original pixels, not a second generation) and costs milliseconds instead of an H.264 encode per frame.
"""

from __future__ import annotations

from pathlib import Path

from core.media.decode import VideoInfo

COPYABLE_CODECS = frozenset({"h264", "hevc", "mpeg4"})


def can_copy(info: VideoInfo, fps: float, frame_count: int) -> bool:
    """True when the source's video packets can serve as the prepared clip's frames one to one."""
    return (
        info.codec in COPYABLE_CODECS
        and info.constant_rate
        and abs(info.fps - fps) < 1e-3 * fps
        and info.frame_count == frame_count
        and info.rotation == 0
        and info.width % 2 == 0
        and info.height % 2 == 0
        and not info.conversions  # HDR or interlaced: the clip holds the converted frames
    )


def copy_video(src: Path | str, dst: Path | str) -> int:
    """Write the first video stream of `src` into a new mp4 at `dst`; returns the frames it shows.

    Pre-roll packets an edit list hides are copied (later frames need them) but not counted,
    as `core.media.decode.probe` does not count them: the copy shows what the source shows.

    `dst` should be inside a folder that is renamed when complete (core.io.atomic.atomic_dir).
    """
    import av

    with av.open(str(src)) as inp, av.open(str(dst), "w", format="mp4") as out:
        stream = inp.streams.video[0]
        out_stream = out.add_stream_from_template(stream)
        copied = 0
        for packet in inp.demux(stream):
            if packet.dts is None:  # the demuxer's end-of-stream marker
                continue
            packet.stream = out_stream
            shown = not packet.is_discard
            out.mux(packet)
            copied += shown
    return copied
