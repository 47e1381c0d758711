"""Interlaced video is deinterlaced on decode: a clip whose two fields show a bar at two positions
(a 1080i camcorder's moving mouth) loses its combing, keeps its frame count and rate."""

from __future__ import annotations

import av
import numpy as np
import pytest

from core.media import decode
from tests.core.media.colour_clips import TAGS, i420, rgb_to_ycbcr, write_yuv_clip

H, W, FRAMES, STEP = 64, 96, 8, 6  # px the bar moves per field


def _scene(t: int) -> np.ndarray:
    """Grey RGB [H, W, 3] in [0, 1]: a bright vertical bar at x = 10 + STEP * t on dark grey."""
    img = np.full((H, W, 3), 0.2)
    x = 10 + STEP * t
    img[8:56, x : x + 14] = 0.9
    return img


def _interlaced(t: int) -> np.ndarray:
    """Frame t: the top field (even rows) from field time 2t, the bottom field from 2t + 1."""
    img = _scene(2 * t)
    img[1::2] = _scene(2 * t + 1)[1::2]
    return img


def comb(frames: np.ndarray, threshold: float = 30.0) -> float:
    """Share of pixels (in %) darker or brighter than both vertical neighbours by `threshold`
    levels: the zigzag of two fields out of step."""
    x = np.asarray(frames, np.float64).mean(-1)
    z = (x[:, 1:-1] - x[:, :-2]) * (x[:, 1:-1] - x[:, 2:])
    return float((z > threshold * threshold).mean() * 100)


@pytest.fixture
def interlaced_clip(tmp_path):
    planes = [i420(rgb_to_ycbcr(_interlaced(t), "bt601", 8)) for t in range(FRAMES)]
    return write_yuv_clip(
        tmp_path / "1080i.mp4", planes, TAGS["untagged"], "libx264", 8, options={"crf": "6"}, interlaced=True
    )


def test_interlaced_clip_is_detected_and_its_combing_removed(interlaced_clip):
    info = decode.probe(interlaced_clip)
    assert info.conversions == ("interlaced (top field first) deinterlaced",)
    assert info.frame_count == FRAMES

    with av.open(str(interlaced_clip)) as c:  # as decoded before: woven fields
        raw = np.stack([f.to_ndarray(format="rgb24") for f in c.decode(video=0)])
    ours = decode.read_frames(interlaced_clip)
    assert ours.shape == (FRAMES, H, W, 3)
    progressive = np.stack([np.round(_scene(2 * t) * 255) for t in range(FRAMES)])
    assert comb(raw) > 3.0
    assert comb(ours) < comb(raw) / 10
    assert comb(ours) <= comb(progressive) + 0.3
    # what is left is the first field's picture: the bar where the top field saw it
    bar = ours[:, 20:44].mean((1, 3))  # [frames, W] brightness across the bar's rows
    for t in range(1, FRAMES - 1):
        x = 10 + STEP * 2 * t
        assert bar[t, x + 2 : x + 12].min() > 180 and bar[t, max(0, x - 8) : x - 2].max() < 90


def test_deinterlaced_frames_keep_rate_and_first_frame(interlaced_clip):
    frames = list(decode.iter_frames(interlaced_clip, 25.0, FRAMES, rgb=True))
    assert len(frames) == FRAMES
    _, first = decode.probe_with_first_frame(interlaced_clip, rgb=True)
    np.testing.assert_array_equal(first, frames[0])  # prepare tracks the probe's frame as frame 0
    np.testing.assert_array_equal(np.stack(frames), decode.read_frames(interlaced_clip)[..., ::-1])


def test_progressive_clip_is_not_filtered(tmp_path):
    planes = [i420(rgb_to_ycbcr(_interlaced(t), "bt601", 8)) for t in range(3)]  # combed, but progressive
    path = write_yuv_clip(tmp_path / "p.mp4", planes, TAGS["untagged"], "libx264", 8, options={"crf": "6"})
    assert decode.probe(path).conversions == ()
    assert comb(decode.read_frames(path)) > 3.0  # left alone: deinterlacing is for interlaced streams only


def test_field_order_without_per_frame_flags_is_enough(tmp_path):
    """FFV1 or ProRes captures carry the field order in the container only (frames unflagged):
    every frame is deinterlaced in that order."""
    path = tmp_path / "capture.mkv"
    with av.open(str(path), "w") as out:
        s = out.add_stream("ffv1", rate=25)
        s.width, s.height, s.pix_fmt = W, H, "yuv420p"
        s.codec_context.field_order = 2  # tt
        for t in range(FRAMES):
            planes = i420(rgb_to_ycbcr(_interlaced(t), "bt601", 8)).astype(np.uint8)
            for p in s.encode(av.VideoFrame.from_ndarray(planes, format="yuv420p")):
                out.mux(p)
        for p in s.encode(None):
            out.mux(p)
    with av.open(str(path)) as c:
        assert not next(c.decode(video=0)).interlaced_frame
        raw = np.stack([f.to_ndarray(format="rgb24") for f in c.decode(video=0)])
    assert decode.probe(path).conversions == ("interlaced (top field first) deinterlaced",)
    ours = decode.read_frames(path)
    assert len(ours) == FRAMES and comb(raw) > 3.0 and comb(ours) < comb(raw) / 10
