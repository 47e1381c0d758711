"""Decoding reads each stream's colour tags: HDR (HLG, PQ) comes out as BT.709 SDR, BT.709 / full
range / BT.2020 matrices are read as declared, and untagged 8-bit SDR is decoded as before."""

from __future__ import annotations

import av
import cv2
import numpy as np
import pytest

from core.media import decode, tonemap
from core.media.colour import FrameColour
from core.media.convert import content_peak
from core.media.mp4_writer import Mp4Writer
from tests.core.media.colour_clips import (
    TAGS,
    hlg_signal_from_display,
    i420,
    patch_means,
    patches,
    pq_signal_from_display,
    rgb_to_ycbcr,
    sdr_to_display_2020,
    write_yuv_clip,
)

# SDR BT.709 colours a face video holds (greys, skin, lips, clothes), all below the tone map's
# knee (~90 cd/m^2 of 203 for a 1000 cd/m^2 source: code ~180), where SDR passes unchanged
MIDTONES = [
    (16, 16, 16),
    (50, 50, 50),
    (90, 90, 90),
    (128, 128, 128),
    (160, 160, 160),
    (170, 120, 100),  # skin
    (150, 100, 80),
    (120, 70, 60),
    (160, 60, 70),  # lips
    (40, 90, 150),
    (60, 130, 60),
    (150, 140, 40),
]


def _hdr_clip(tmp_path, kind: str, rgb8: np.ndarray, frames: int = 2):
    nits = sdr_to_display_2020(rgb8)
    signal = hlg_signal_from_display(nits) if kind == "hlg" else pq_signal_from_display(nits)
    planes = i420(rgb_to_ycbcr(signal, "bt2020", 10))
    return write_yuv_clip(tmp_path / f"{kind}.mkv", [planes] * frames, TAGS[kind])


@pytest.mark.parametrize("kind", ["hlg", "pq"])
def test_hdr_midtones_decode_to_their_sdr_colours(tmp_path, kind):
    img = patches(MIDTONES)
    path = _hdr_clip(tmp_path, kind, img)
    info = decode.probe(path)
    assert info.conversions == (f"HDR ({kind.upper()}) converted to SDR BT.709",)

    out = decode.read_frames(path, [0])[0][..., ::-1]  # RGB
    got, want = patch_means(out, len(MIDTONES)), patch_means(img, len(MIDTONES))
    assert np.abs(got - want).max() <= 3.0, np.c_[want, got]

    # read as if it were SDR (what decoding did before): flat, dark, hue-shifted
    with av.open(str(path)) as c:
        naive = next(c.decode(video=0)).to_ndarray(format="rgb24")
    off = np.abs(patch_means(naive, len(MIDTONES)) - want)
    assert off.mean() > 12.0 and off.max() > 30.0


def test_hlg_highlights_are_compressed_not_clipped(tmp_path):
    """Light above SDR white (up to the 1000 cd/m^2 HLG peak) rolls off smoothly into 8 bits:
    brighter patches stay brighter, the peak reaches white, nothing before it saturates."""
    levels = [100.0, 203.0, 300.0, 450.0, 650.0, 1000.0]  # cd/m^2, grey
    nits = np.repeat(np.array(levels)[:, None], 3, 1)
    img = np.zeros((16, 16 * len(levels), 3))
    for i, v in enumerate(nits):
        img[:, 16 * i : 16 * i + 16] = v
    planes = i420(rgb_to_ycbcr(hlg_signal_from_display(img), "bt2020", 10))
    path = write_yuv_clip(tmp_path / "hi.mkv", [planes] * 2, TAGS["hlg"])
    out = decode.read_frames(path, [0])[0].astype(float)
    grey = np.array([out[4:12, 16 * i + 4 : 16 * i + 12].mean() for i in range(len(levels))])
    assert np.all(np.diff(grey) >= 1.0), grey  # still ordered at the top (a clip would flatten it)
    assert grey[-1] >= 254
    assert 215 <= grey[1] <= 240  # HDR reference white just under SDR white, room left for highlights


def _lab_hue(xyz: np.ndarray) -> float:
    """CIELAB hue angle (degrees) of a D65 XYZ colour."""
    x, y, z = np.cbrt(xyz / np.array([0.9505, 1.0, 1.089]))
    return float(np.degrees(np.arctan2(200 * (y - z), 500 * (x - y))))


def test_bt2020_colour_outside_bt709_keeps_its_hue(tmp_path):
    """A saturated BT.2020 green that BT.709 cannot show comes out as a less saturated colour of
    the same CIELAB hue (moved toward its own luminance), not per-channel clipped (which turns
    this green 14 degrees yellower)."""
    lin = np.zeros((32, 32, 3))
    lin[:] = (5.0, 60.0, 5.0)  # cd/m^2, BT.2020 primaries: far outside BT.709
    planes = i420(rgb_to_ycbcr(hlg_signal_from_display(lin), "bt2020", 10))
    path = write_yuv_clip(tmp_path / "green.mkv", [planes] * 2, TAGS["hlg"])
    rgb = decode.read_frames(path, [0])[0][8:24, 8:24].reshape(-1, 3).mean(0)[::-1]
    assert rgb[1] > 100 and rgb[1] > 1.5 * max(rgb[0], rgb[2])
    bt2020_xyz = np.array([[0.6370, 0.1446, 0.1689], [0.2627, 0.6780, 0.0593], [0.0, 0.0281, 1.0610]])
    bt709_xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    want = _lab_hue(bt2020_xyz @ lin[0, 0])
    got = _lab_hue(bt709_xyz @ (rgb / 255.0) ** 2.4)
    assert abs(got - want) < 6.0, (rgb, got, want)


COLOURS = [(200, 40, 40), (40, 180, 60), (50, 60, 200), (230, 200, 170), (128, 128, 128), (20, 20, 20)]


@pytest.mark.parametrize(
    ("tags", "matrix", "full", "bits"),
    [
        ("bt709", "bt709", False, 8),
        ("bt709_full", "bt709", True, 8),
        ("bt601", "bt601", False, 8),
        ("bt709", "bt709", False, 10),  # 10-bit SDR (some phones, ProRes)
    ],
)
def test_sdr_matrix_and_range_are_read_from_the_tags(tmp_path, tags, matrix, full, bits):
    img = patches(COLOURS)
    planes = i420(rgb_to_ycbcr(img / 255.0, matrix, bits, full))
    path = write_yuv_clip(tmp_path / "sdr.mkv", [planes] * 2, TAGS[tags], bits=bits)
    assert decode.probe(path).conversions == ()
    out = decode.read_frames(path, [0])[0][..., ::-1]
    got = patch_means(out, len(COLOURS))
    tolerance = 2.5 if bits == 8 else 1.0  # one 8-bit chroma code: ~2 levels
    assert np.abs(got - patch_means(img, len(COLOURS))).max() <= tolerance
    if tags != "bt601" and bits == 8:  # the fixed BT.601 limited-range reading of before is visibly off
        old = cv2.cvtColor(planes.astype(np.uint8), cv2.COLOR_YUV2RGB_I420)
        assert np.abs(patch_means(old, len(COLOURS)) - got).max() > 8


@pytest.mark.parametrize("tags", ["untagged", "bt601"])
def test_8bit_sdr_is_decoded_bit_for_bit_as_before(tmp_path, tags):
    """Untagged or BT.601 8-bit 4:2:0 (web video, and every file the project wrote before it
    tagged its output) keeps OpenCV's I420 conversion exactly."""
    rng = np.random.default_rng(0)
    planes = rng.integers(16, 236, (48 * 3 // 2, 64)).astype(np.uint8)
    path = write_yuv_clip(tmp_path / "sdr.mkv", [planes] * 3, TAGS[tags], bits=8)
    want = cv2.cvtColor(planes, cv2.COLOR_YUV2BGR_I420)
    for frame in decode.decoded_frames(path):
        np.testing.assert_array_equal(frame, want)
    first = next(decode.iter_frames(path, 25.0, 1, rgb=True))
    np.testing.assert_array_equal(first, want[..., ::-1])


def test_writer_tags_bt709_and_reads_back_the_same_colours(tmp_path):
    img = cv2.resize(patches(COLOURS), (96, 64), interpolation=cv2.INTER_NEAREST)[..., ::-1]  # BGR
    with Mp4Writer(tmp_path / "out.mp4", 96, 64, 25.0, crf=0) as w:
        for _ in range(3):
            w.write_frame(img)
    with av.open(str(tmp_path / "out.mp4")) as c:
        cc = c.streams.video[0].codec_context
        frame = next(c.decode(video=0))
    assert (cc.color_primaries, cc.color_trc, cc.colorspace, cc.color_range) == (1, 1, 1, 1)
    assert (frame.colorspace, frame.color_trc) == (1, 1)
    back = decode.read_frames(tmp_path / "out.mp4", [0])[0]
    assert np.abs(back[4:-4, 4:-4].astype(int) - img[4:-4, 4:-4]).mean() < 1.0


def test_pq_tone_map_follows_the_content_light_level_it_declares(tmp_path):
    """A PQ video that says its brightest pixel is 4000 cd/m^2 (HEVC SEI, as phones write it) keeps
    room for that: its 1000 cd/m^2 grey comes out darker than in a video that declares nothing
    (taken as 1000 cd/m^2 peak, so 1000 cd/m^2 is white)."""
    grey = np.zeros((16, 32, 3))
    grey[:, :16], grey[:, 16:] = 1000.0, 4000.0
    planes = i420(rgb_to_ycbcr(pq_signal_from_display(grey), "bt2020", 10))
    plain = write_yuv_clip(tmp_path / "plain.mkv", [planes] * 2, TAGS["pq"])
    sei = {"x265-params": "log-level=error:max-cll=4000,400", "crf": "0"}
    declared = write_yuv_clip(tmp_path / "cll.mp4", [planes] * 2, TAGS["pq"], "libx265", options=sei)
    with av.open(str(declared)) as c:
        assert content_peak(next(c.decode(video=0))) == 4000.0
    with av.open(str(plain)) as c:
        assert content_peak(next(c.decode(video=0))) is None
    a = decode.read_frames(plain, [0])[0][4:12].astype(float)
    b = decode.read_frames(declared, [0])[0][4:12].astype(float)
    assert a[:, 4:12].mean() >= 253 and a[:, 20:28].mean() >= 253  # both at the default peak: white
    assert b[:, 4:12].mean() < a[:, 4:12].mean() - 3 and b[:, 20:28].mean() >= 253


def test_hdr_frames_converted_in_bands_on_threads_equal_one_pass():
    rng = np.random.default_rng(3)
    h, w = 720, 1280  # above the size where frames are cut into bands
    rgb = cv2.resize(rng.integers(0, 255, (9, 16, 3), dtype=np.uint8), (w, h), interpolation=cv2.INTER_CUBIC)
    planes = i420(rgb_to_ycbcr(hlg_signal_from_display(sdr_to_display_2020(rgb) * 3), "bt2020", 10))
    y, cb, cr = planes[:h], planes[h:].ravel()[: h * w // 4], planes[h:].ravel()[h * w // 4 :]
    cb, cr = cb.reshape(h // 2, w // 2), cr.reshape(h // 2, w // 2)
    colour = FrameColour("bt2020", False, "hlg", "bt2020", 10)
    one = tonemap.to_sdr_rgb8(y, cb, cr, colour, workers=1)
    np.testing.assert_array_equal(tonemap.to_sdr_rgb8(y, cb, cr, colour, workers=3), one)
