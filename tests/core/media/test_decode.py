from pathlib import Path

import av
import numpy as np
import pytest

from core.jobs.errors import BadInput
from core.media.audio import read_audio
from core.media.decode import iter_frames, probe, probe_with_first_frame, read_frames
from core.media.mp4_writer import Mp4Writer
from core.media.wav import write_wav


def _numbered_video(path: Path, n: int, fps: float, size=(96, 64), sample_rate=None, audio=None) -> Path:
    """Frames whose brightness encodes their index (10 * i), for checking frame selection."""
    w, h = size
    with Mp4Writer(path, w, h, fps, sample_rate=sample_rate, crf=0) as writer:
        for i in range(n):
            writer.write_frame(np.full((h, w, 3), 10 * i, np.uint8))
        if audio is not None:
            writer.write_audio(audio)
    return path


def _index(frame: np.ndarray) -> int:
    return round(float(frame.mean()) / 10)


def test_non_integer_rate_is_retimed_to_constant_fps_by_timestamp(tmp_path):
    src = _numbered_video(tmp_path / "v.mp4", 20, 22.13)
    info = probe(src)
    assert info.frame_count == 20 and info.fps == pytest.approx(22.13, abs=0.01)
    assert info.duration == pytest.approx(20 / 22.13, abs=1e-3)
    n = info.output_frames(25.0)
    assert n == round(20 / 22.13 * 25)  # 23 frames: same duration at 25 fps
    frames = list(iter_frames(src, 25.0, n))
    assert len(frames) == n and frames[0].shape == (64, 96, 3)
    got = [_index(f) for f in frames]
    want = [min(19, int(np.floor(k / 25 * 22.13 + 0.5))) for k in range(n)]  # nearest source frame
    assert got == want


def test_downsampling_rate_drops_frames_evenly(tmp_path):
    src = _numbered_video(tmp_path / "v.mp4", 20, 25.0)
    frames = list(iter_frames(src, 12.5, probe(src).output_frames(12.5)))
    assert [_index(f) for f in frames] == list(range(0, 20, 2))


def test_rotation_metadata_is_applied(tmp_path):
    path = tmp_path / "rot.mp4"
    with av.open(str(path), "w", format="mp4") as c:
        s = c.add_stream("libx264", rate=25)
        s.width, s.height, s.pix_fmt = 96, 64, "yuv420p"
        s.set_display_rotation(90)
        img = np.zeros((64, 96, 3), np.uint8)
        img[:16, :24] = 255  # a block in the stored top-left corner
        for _ in range(3):
            for p in s.encode(av.VideoFrame.from_ndarray(img, format="bgr24")):
                c.mux(p)
        for p in s.encode(None):
            c.mux(p)
    info = probe(path)
    assert (info.rotation, info.width, info.height) == (90, 64, 96)
    frame = next(iter_frames(path, 25.0, 3))
    assert frame.shape == (96, 64, 3)
    ys, xs = np.nonzero(frame.mean(axis=2) > 128)
    assert ys.min() >= 70 and xs.max() <= 18  # turned counter-clockwise: now bottom-left
    for rgb in (False, True):  # the probe's first frame is iter_frames' first, turned and converted alike
        info_too, first = probe_with_first_frame(path, rgb=rgb)
        assert info_too == info and np.array_equal(first, next(iter_frames(path, 25.0, 3, rgb=rgb)))


@pytest.mark.parametrize("fps", [22.13, 25.0, 30.0, 12.5])
def test_the_probes_first_frame_is_what_iter_frames_yields_first(tmp_path, fps):
    src = _numbered_video(tmp_path / "v.mp4", 12, fps)
    colours = np.random.default_rng(0).integers(0, 255, (64, 96, 3), np.uint8)  # colours: RGB vs BGR order
    with Mp4Writer(tmp_path / "c.mp4", 96, 64, fps, crf=0) as writer:
        for i in range(5):
            writer.write_frame(np.roll(colours, i, axis=1))
    for video in (src, tmp_path / "c.mp4"):
        for rgb in (False, True):
            info, first = probe_with_first_frame(video, rgb=rgb)
            assert info == probe(video)
            assert np.array_equal(first, next(iter_frames(video, 25.0, info.output_frames(25.0), rgb=rgb)))
    assert _index(probe_with_first_frame(src)[1]) == 0


def test_audio_is_resampled_to_16k_mono_and_cut_to_the_video(tmp_path):
    t = np.arange(44100 * 2) / 44100
    tone = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    src = _numbered_video(tmp_path / "a.mp4", 25, 25.0, sample_rate=44100, audio=tone)
    info = probe(src)
    assert info.has_audio and info.audio_rate == 44100
    audio = read_audio(src, duration=1.0)
    assert audio.dtype == np.float32 and audio.shape == (16000,)
    spectrum = np.abs(np.fft.rfft(audio[2000:14000]))
    assert abs(np.argmax(spectrum) * 16000 / 12000 - 440) < 5
    assert 0.3 < np.abs(audio[2000:14000]).max() < 0.6


def test_no_audio_track_is_reported_by_probe(tmp_path):
    src = _numbered_video(tmp_path / "v.mp4", 5, 25.0)
    assert not probe(src).has_audio
    with pytest.raises(BadInput, match="no audio stream"):
        read_audio(src)


def test_read_frames_by_index_in_any_order(tmp_path):
    src = _numbered_video(tmp_path / "v.mp4", 6, 25.0)
    every = read_frames(src)
    assert every.shape[0] == 6
    picked = read_frames(src, [4, 1, 4])
    np.testing.assert_array_equal(picked, every[[4, 1, 4]])
    with pytest.raises(BadInput, match=r"no frame\(s\) \[9\]"):
        read_frames(src, [2, 9])


def test_bad_inputs_name_the_problem(tmp_path):
    with pytest.raises(BadInput, match="not found"):
        probe(tmp_path / "missing.mp4")
    with pytest.raises(BadInput, match="folder"):
        probe(tmp_path)
    text = tmp_path / "notes.mp4"
    text.write_text("this is not a video\n" * 50)
    with pytest.raises(BadInput, match="not a readable video"):
        probe(text)
    with pytest.raises(BadInput, match="truncated"):
        probe(_first_half(_numbered_video(tmp_path / "good.mp4", 25, 25.0)))


def _first_half(video: Path) -> Path:
    """A copy of `video` cut in the middle, as an interrupted download leaves it."""
    cut = video.with_name("cut.mp4")
    cut.write_bytes(video.read_bytes()[: video.stat().st_size // 2])
    return cut


def test_truncated_file_with_header_first_is_caught(tmp_path):
    path = tmp_path / "fast.mp4"
    rng = np.random.default_rng(0)
    with av.open(str(path), "w", format="mp4", options={"movflags": "faststart"}) as c:
        s = c.add_stream("libx264", rate=25)
        s.width = s.height = 64
        s.pix_fmt = "yuv420p"
        for _ in range(40):
            for p in s.encode(
                av.VideoFrame.from_ndarray(rng.integers(0, 255, (64, 64, 3), np.uint8), format="bgr24")
            ):
                c.mux(p)
        for p in s.encode(None):
            c.mux(p)
    with pytest.raises(BadInput, match="truncated: its header lists 40"):
        probe(_first_half(path))


def test_zero_frame_video_stream(tmp_path):
    """A video track without a single frame (next to an audio track, so the file is written)."""
    path = tmp_path / "empty.mkv"
    with av.open(str(path), "w", format="matroska") as c:
        s = c.add_stream("libx264", rate=25)
        s.width = s.height = 64
        s.pix_fmt = "yuv420p"
        a = c.add_stream("aac", rate=16000)
        a.layout = "mono"
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 16000), np.int16), format="s16", layout="mono")
        frame.sample_rate, frame.pts = 16000, 0
        for stream, item in ((a, frame), (a, None), (s, None)):
            for p in stream.encode(item):
                c.mux(p)
    with pytest.raises(BadInput, match="zero frames"):
        probe(path)


def test_wav_round_trip(tmp_path):
    x = (0.25 * np.sin(np.linspace(0, 100, 1600))).astype(np.float32)
    write_wav(tmp_path / "a.wav", x, 16000)
    y = read_audio(tmp_path / "a.wav")
    assert y.shape == x.shape
    assert np.abs(y - x).max() < 1e-4
    (tmp_path / "bad.wav").write_bytes(b"RIFFjunk")
    with pytest.raises(BadInput, match="not a readable audio file"):
        read_audio(tmp_path / "bad.wav")


def test_copy_only_when_the_source_already_fits(tmp_path):
    from core.media.remux import can_copy, copy_video

    src = _numbered_video(tmp_path / "v.mp4", 12, 25.0)
    info = probe(src)
    assert info.codec == "h264" and info.constant_rate
    assert can_copy(info, 25.0, 12)
    assert not can_copy(info, 30.0, 12) and not can_copy(info, 25.0, 13)
    assert copy_video(src, tmp_path / "copy.mp4") == 12
    copied = list(iter_frames(tmp_path / "copy.mp4", 25.0, 12))
    assert [_index(f) for f in copied] == list(range(12))
    odd = probe(_numbered_video(tmp_path / "odd.mp4", 12, 22.13))
    assert not can_copy(odd, 25.0, odd.output_frames(25.0))


def test_variable_frame_rate_picks_the_frame_nearest_each_output_time(tmp_path):
    """Phone-style VFR: irregular timestamps (ms) -> 25 fps by nearest timestamp."""
    from fractions import Fraction

    stamps = [0, 30, 90, 100, 170, 260, 280, 330, 400, 410, 480]
    path = tmp_path / "vfr.mkv"
    with av.open(str(path), "w", format="matroska") as c:
        s = c.add_stream("libx264", rate=30)
        s.width, s.height, s.pix_fmt = 64, 64, "yuv420p"
        s.codec_context.time_base = Fraction(1, 1000)
        for i, ms in enumerate(stamps):
            frame = av.VideoFrame.from_ndarray(np.full((64, 64, 3), 10 * i, np.uint8), format="bgr24")
            frame.pts, frame.time_base = ms, Fraction(1, 1000)
            for p in s.encode(frame):
                c.mux(p)
        for p in s.encode(None):
            c.mux(p)
    info = probe(path)
    assert info.frame_count == len(stamps) and not info.constant_rate
    n = info.output_frames(25.0)
    got = [_index(f) for f in iter_frames(path, 25.0, n)]
    t = np.array(stamps) / 1000
    want = [int(np.argmin(np.abs(t - k / 25) + 1e-9 * np.arange(len(t)))) for k in range(n)]
    assert got == want


def _with_preroll(src: Path, dst: Path, hidden: int = 1) -> Path:
    """`src` remuxed `hidden` frames earlier: its first frames become pre-roll packets that the
    mp4's edit list hides (what `ffmpeg -ss 1 -i clip.mp4 -c copy cut.mp4` writes)."""
    with av.open(str(src)) as inp, av.open(str(dst), "w", format="mp4") as out:
        stream = inp.streams.video[0]
        copy = out.add_stream_from_template(stream)
        step = hidden * round(1 / (stream.average_rate * stream.time_base))
        for packet in inp.demux(stream):
            if packet.dts is None:
                continue
            packet.pts -= step
            packet.dts -= step
            packet.stream = copy
            out.mux(packet)
    return dst


def test_a_preroll_frame_hidden_by_an_edit_list_is_not_counted(tmp_path):
    """A stream-copied cut has a hidden pre-roll frame: the probe counted it, so prepare wrote a
    clip one frame longer than its video and training stopped with 'ends before frame N'."""
    from core.media.remux import can_copy, copy_video

    cut = _with_preroll(_numbered_video(tmp_path / "v.mp4", 13, 25.0), tmp_path / "cut.mp4")
    shown = read_frames(cut)
    assert [_index(f) for f in shown] == list(range(1, 13))
    info = probe(cut)
    assert info.frame_count == 12 and info.duration == pytest.approx(12 / 25)
    assert info.output_frames(25.0) == 12 and can_copy(info, 25.0, 12)
    assert copy_video(cut, tmp_path / "copy.mp4") == 12
    assert [_index(f) for f in read_frames(tmp_path / "copy.mp4")] == list(range(1, 13))


def test_many_hidden_preroll_frames_are_not_taken_for_a_truncated_file(tmp_path):
    """A cut a second past a keyframe hides a second of frames, which the header still counts:
    that is not a file cut short (it was refused as 'truncated: its header lists 13 frames')."""
    cut = _with_preroll(_numbered_video(tmp_path / "v.mp4", 13, 25.0), tmp_path / "cut.mp4", hidden=5)
    with av.open(str(cut)) as c:
        assert c.streams.video[0].frames == 13
    info = probe(cut)
    assert info.frame_count == 8 and info.duration == pytest.approx(8 / 25)
    assert [_index(f) for f in iter_frames(cut, 25.0, 8)] == list(range(5, 13))
