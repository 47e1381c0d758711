"""PrepareJob on the real talking-head clips in ../shared/samples (skipped when they are absent)."""

from pathlib import Path

import numpy as np
import pytest

from core.face.prepare_job import PrepareJob, PrepareSettings, analyse
from core.face.prepared import PreparedClip
from core.face.smoothing import gaussian_smooth
from core.face.tracker import FaceTracker
from core.jobs.collector import CollectingRunner
from core.media.decode import iter_frames, probe, read_frames

SAMPLES = Path(__file__).resolve().parents[3].parent / "shared" / "samples"
pytestmark = [
    pytest.mark.samples,
    pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"real sample clips not found at {SAMPLES}"),
]
CLIPS = ["talking_512_25fps_a.mp4", "talking_700_22fps_b.mp4", "talking_590_25fps_c.mp4"]


def speech_correlation(clip: PreparedClip) -> tuple[float, float, float]:
    """(Pearson r of mouth opening vs audio RMS, both smoothed over 2 frames; mean opening loud; quiet)."""
    audio = clip.audio()
    hop = int(round(16000 / clip.fps))
    rms = np.sqrt(np.array([np.mean(audio[i * hop : (i + 1) * hop] ** 2) for i in range(clip.frame_count)]))
    opening = np.asarray(clip.manifest["mouth_opening"])
    r = float(np.corrcoef(gaussian_smooth(opening, 2.0), gaussian_smooth(rms, 2.0))[0, 1])
    loud, quiet = rms > np.percentile(rms, 60), rms < np.percentile(rms, 20)
    return r, float(opening[loud].mean()), float(opening[quiet].mean())


def _prepare(name: str, out: Path) -> PreparedClip:
    result = CollectingRunner().run(PrepareJob(SAMPLES / name, out))
    assert result.ok, result.error
    return PreparedClip.load(out)


def test_non_integer_rate_clip_comes_out_at_25_fps_in_sync(tmp_path):
    """The ~22.13 fps clip: 25 fps, same duration (+-1 frame), audio exactly as long, every frame tracked."""
    src = SAMPLES / "talking_700_22fps_b.mp4"
    info = probe(src)
    assert abs(info.fps - 22.13) < 0.01
    clip = _prepare(src.name, tmp_path / "b")
    assert clip.fps == 25.0
    assert abs(clip.frame_count - info.duration * 25) <= 1
    assert len(clip.audio()) == clip.frame_count * 640
    assert clip.valid.all()
    r, loud, quiet = speech_correlation(clip)
    print(f"{src.name}: {clip.frame_count} frames, r(mouth, speech RMS) = {r:.2f}")
    assert r > 0.2 and loud > quiet


@pytest.mark.slow
@pytest.mark.parametrize("name", CLIPS)
def test_every_frame_tracked_and_mouth_moves_with_speech(name, tmp_path):
    clip = _prepare(name, tmp_path / "clip")
    assert clip.valid.all(), f"{(~clip.valid).sum()} frames without a face"
    assert np.median(clip.manifest["quality"]["confidence"]) > 0.5
    r, loud, quiet = speech_correlation(clip)
    print(f"{name}: r(mouth opening, speech RMS) = {r:.2f}; opening loud {loud:.3f} vs quiet {quiet:.3f}")
    assert r > 0.2 and loud > quiet


@pytest.mark.parametrize(
    ("name", "video_mode"),
    [("talking_590_25fps_c.mp4", "copied from the source"), ("talking_720x974_30fps_d.mp4", "H.264 crf 14")],
)
def test_the_overlapped_prepare_writes_what_a_serial_track_and_analysis_gives(name, video_mode, tmp_path):
    """Decode, tracking, copy/encode, previews and file writes on their threads change no value: the
    prepared arrays equal those of a plain loop (decode a frame, track it, next) and `analyse`."""
    src = SAMPLES / name
    info = probe(src)
    n = info.output_frames(25.0)
    raw, found = np.zeros((n, 478, 3), np.float32), np.zeros(n, bool)
    with FaceTracker() as tracker:
        for i, frame in enumerate(iter_frames(src, 25.0, n)):
            lm = tracker.track(frame)
            if lm is not None:
                raw[i], found[i] = lm, True
    size = (info.width - info.width % 2, info.height - info.height % 2)
    serial = analyse(raw, found, size, PrepareSettings(), src)

    clip = _prepare(name, tmp_path / "clip")
    m = clip.manifest
    assert m["video"] == video_mode and m["frame_count"] == n and clip.valid.tolist() == found.tolist()
    assert np.array_equal(np.load(clip.path / "landmarks.npy"), serial.landmarks)
    with np.load(clip.path / "poses.npz") as poses:
        for field in ("similarity", "scale", "rotation", "translation", "mean_shape", "residual"):
            assert np.array_equal(poses[field], getattr(serial.poses, field), equal_nan=True), field
    with np.load(clip.path / "crops.npz") as crops:
        assert np.array_equal(crops["face_boxes"], serial.face_boxes)
        assert np.array_equal(crops["mouth_boxes"], serial.mouth_boxes)
    assert m["mouth_opening"] == [round(float(v), 5) for v in serial.opening]
    assert m["reference_candidates"] == serial.reference_candidates
    assert m["quality"]["confidence"] == [round(float(c), 4) for c in serial.confidence]


def test_a_stream_copied_cut_of_a_real_clip_prepares_every_frame_it_shows(tmp_path):
    """`ffmpeg -ss 1 -i clip.mp4 -c copy cut.mp4` keeps the keyframe before the cut as frames an
    edit list hides: those were counted (one more frame than the video holds, so training stopped
    with 'ends before frame N') or, many of them, taken for a truncated file."""
    from tests.core.media.test_decode import _with_preroll

    cut = _with_preroll(SAMPLES / "talking_590_25fps_c.mp4", tmp_path / "cut.mp4", hidden=25)
    shown = len(read_frames(cut))
    info = probe(cut)
    assert info.frame_count == info.output_frames(25.0) == shown
    result = CollectingRunner().run(PrepareJob(cut, tmp_path / "prepared"))
    assert result.ok, result.error
    clip = PreparedClip.load(tmp_path / "prepared")
    assert clip.frame_count == shown and len(clip.read_frames()) == shown and clip.valid.all()
