"""`prepare` on an iPhone-style HLG clip (10-bit HEVC, BT.2020, arib-std-b67) made in the test from
a real talking-head sample: every frame tracked, the prepared clip holds SDR BT.709 frames with
the sample's own colours, and the conversion is logged and recorded in the manifest."""

from __future__ import annotations

from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from core.face.prepare_job import PrepareJob, PrepareSettings
from core.face.prepared import PreparedClip
from core.jobs.collector import CollectingRunner
from core.jobs.events import LogLine
from core.media import decode
from core.media.mp4_writer import Mp4Writer
from core.metrics.paste import paste_fidelity
from tests.core.media.colour_clips import (
    TAGS,
    hlg_signal_from_display,
    i420,
    rgb_to_ycbcr,
    sdr_to_display_2020,
)

SAMPLES = Path(__file__).resolve().parents[3].parent / "shared" / "samples"
SAMPLE = SAMPLES / "talking_512_25fps_a.mp4"
FRAMES = 40
pytestmark = [
    pytest.mark.samples,
    pytest.mark.skipif(not SAMPLE.is_file(), reason=f"sample clip not found at {SAMPLE}"),
]


def _hlg_from(sdr_rgb: np.ndarray) -> np.ndarray:
    return i420(rgb_to_ycbcr(hlg_signal_from_display(sdr_to_display_2020(sdr_rgb)), "bt2020", 10))


@pytest.fixture(scope="module")
def hlg_clip(tmp_path_factory):
    """The sample's first FRAMES frames as a phone's HLG recording: HEVC Main 10, tagged."""
    src = decode.read_frames(SAMPLE, range(FRAMES))[..., ::-1]  # RGB
    path = tmp_path_factory.mktemp("hlg") / "iphone_hlg.mp4"
    with av.open(str(path), "w") as out:
        s = out.add_stream("libx265", rate=25)
        s.width, s.height, s.pix_fmt = src.shape[2], src.shape[1], "yuv420p10le"
        for k, v in TAGS["hlg"].items():
            setattr(s.codec_context, k, v)
        s.options = {"preset": "ultrafast", "crf": "12", "x265-params": "log-level=error"}
        for rgb in src:
            frame = av.VideoFrame.from_ndarray(_hlg_from(rgb), format="yuv420p10le")
            for k, v in TAGS["hlg"].items():
                setattr(frame, k, v)
            for p in s.encode(frame):
                out.mux(p)
        for p in s.encode(None):
            out.mux(p)
    return path, src


def test_prepare_hlg_clip_tracks_every_frame_with_sdr_colours(hlg_clip, tmp_path):
    path, src = hlg_clip
    runner = CollectingRunner()
    out = tmp_path / "prepared" / "hlg"
    result = runner.run(PrepareJob(path, out, PrepareSettings(mouth_size=96)))
    assert result.ok, result.error
    clip = PreparedClip.load(out)
    assert clip.frame_count == FRAMES and clip.valid.all()
    assert clip.manifest["source"]["conversions"] == ["HDR (HLG) converted to SDR BT.709"]
    assert clip.manifest["video"].startswith("H.264")  # HEVC HLG packets are not copied as they are
    logs = [e.message for e in runner.events if isinstance(e, LogLine)]
    assert any("HDR (HLG) converted to SDR BT.709" in m for m in logs)

    with av.open(str(out / "video.mp4")) as c:
        cc = c.streams.video[0].codec_context
        assert (cc.color_primaries, cc.color_trc, cc.colorspace) == (1, 1, 1)  # BT.709 SDR, tagged
        naive = np.stack([f.to_ndarray(format="rgb24") for f in av.open(str(path)).decode(video=0)])
    prepared = clip.read_frames(range(0, FRAMES, 8))[..., ::-1].astype(float)
    want = src[::8].astype(float)
    err = np.abs(prepared - want).mean()
    # the face's colours: the mean colour of the frame centre, per channel
    centre = (slice(None), slice(128, 384), slice(128, 384))
    tint = np.abs(prepared[centre].mean((0, 1, 2)) - want[centre].mean((0, 1, 2))).max()
    assert err < 4.0 and tint < 3.0, (err, tint)
    assert np.abs(naive[::8].astype(float) - want).mean() > 12.0  # read as SDR, as before

    # a render writes the pasted frames with Mp4Writer and players read them by its BT.709 tags:
    # read back, the mouth box's blend band has the prepared frames' colours
    source = clip.read_frames(range(8))
    alphas = []
    with Mp4Writer(tmp_path / "render.mp4", clip.width, clip.height, clip.fps, crf=14) as w:
        for i, frame in enumerate(source):
            x0, y0, x1, y1 = np.round(clip.mouth_boxes[i]).astype(int)
            alpha = np.zeros(frame.shape[:2], np.float32)
            alpha[y0:y1, x0:x1] = 1.0
            alphas.append(cv2.GaussianBlur(alpha, (0, 0), 4.0))
            pasted = frame.copy()
            pasted[y0:y1, x0:x1] = cv2.GaussianBlur(frame[y0:y1, x0:x1], (0, 0), 1.0)  # a rendered mouth
            w.write_frame(pasted)
    rendered = decode.read_frames(tmp_path / "render.mp4")
    assert paste_fidelity(list(rendered), list(source), alphas)["paste_color_shift"] < 1.0
