"""PrepareJob end to end on short synthetic clips (MediaPipe runs for real; a few seconds each)."""

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from core.face.mouth_metrics import mouth_opening
from core.face.prepare_failure import FAILURE_FILE, read_failure
from core.face.prepare_job import PrepareJob, PrepareSettings
from core.face.prepared import PreparedClip
from core.jobs.collector import CollectingRunner
from core.jobs.errors import BadInput
from core.jobs.events import LogLine, Progress
from core.jobs.job import Status
from core.media.mp4_writer import Mp4Writer
from core.synth.talking_head import DemoClipSpec, generate, write

SIZE = 256


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    clip = generate(DemoClipSpec(size=SIZE, duration=4.0, seed=5))
    write(clip, root / "demo.mp4", root / "truth.json")
    return clip, root / "demo.mp4", root / "truth.json"


@pytest.fixture(scope="module")
def prepared(demo, tmp_path_factory):
    _, video, _ = demo
    out = tmp_path_factory.mktemp("project") / "prepared" / "demo"
    runner = CollectingRunner()
    result = runner.run(PrepareJob(video, out, PrepareSettings(mouth_size=96)))
    assert result.ok, result.error
    return out, runner


def _write_frames(path: Path, frames, fps=25.0, audio=None) -> Path:
    h, w = frames[0].shape[:2]
    with Mp4Writer(path, w, h, fps, sample_rate=16000 if audio is not None else None, crf=10) as writer:
        for f in frames:
            writer.write_frame(f)
        if audio is not None:
            writer.write_audio(audio)
    return path


def test_prepared_clip_files_and_manifest(prepared, demo):
    out, runner = prepared
    clip, _, _ = demo
    n = len(clip.frames)
    assert sorted(p.name for p in out.iterdir()) == [
        "audio.wav",
        "crops.npz",
        "landmarks.npy",
        "manifest.json",
        "poses.npz",
        "preview.jpg",
        "video.mp4",
    ]
    m = json.loads((out / "manifest.json").read_text())
    assert (m["schema"], m["name"], m["fps"], m["frame_count"]) == (1, "demo", 25.0, n)
    assert m["video"] == "copied from the source"  # 25 fps, upright, H.264: packets reused losslessly
    assert (m["width"], m["height"], m["has_audio"], m["audio_sample_rate"], m["mouth_size"]) == (
        SIZE,
        SIZE,
        True,
        16000,
        96,
    )
    assert m["source"]["frame_count"] == n and len(m["source"]["sha256"]) == 64
    assert m["tracker"]["refine_landmarks"] is True and m["tracker"]["version"] == "0.10.14"
    q = m["quality"]
    assert all(q["face_found"]) and len(q["confidence"]) == n and not any(q["crop_out_of_frame"])
    assert 0.5 < float(np.median(q["confidence"])) <= 1.0
    assert m["crop"]["face_crop_height"] == 156 and m["crop"]["face_crop_width"] == 120
    assert set(m["timings"]) >= {"decode_s", "track_s", "encode_s", "total_s", "frames_per_s"}
    # the end after the last frame tracked: wall and the process's CPU (the analysis runs in it)
    t = m["timings"]
    assert 0 < t["after_last_frame_s"] < t["total_s"] and t["after_last_frame_cpu_s"] > 0
    progress = runner.of_type(Progress)
    assert [p.step for p in progress if p.message == "tracking"] == list(range(1, n + 1))
    preview = cv2.imread(str(out / "preview.jpg"))
    assert preview is not None and preview.shape[:2] == (SIZE, 4 * SIZE)  # four tiles, not upscaled
    assert preview[..., 2].max() > 200 and ((preview[..., 1] > 180) & (preview[..., 0] < 60)).any()  # boxes


def test_reader_and_mouth_opening_matches_truth(prepared, demo):
    out, _ = prepared
    clip, _, _ = demo
    n = len(clip.frames)
    pc = PreparedClip.load(out)
    assert pc.landmarks.shape == (n, 478, 3) and pc.landmarks.dtype == np.float32
    assert pc.valid.all() and pc.face_boxes.shape == (n, 4) and pc.mouth_boxes.shape == (n, 4)
    r = float(np.corrcoef(mouth_opening(pc.landmarks), clip.mouth_open)[0, 1])
    print(f"synthetic clip: mouth opening vs truth Pearson r = {r:.3f}")
    assert r >= 0.9
    frames = pc.read_frames([3, 0, 3])
    assert frames.shape == (3, SIZE, SIZE, 3) and frames.dtype == np.uint8

    def err(a, b):  # mouth region, blurred, mean colour removed: film grain and encoders' colour rounding
        ys, xs = slice(SIZE // 2, 3 * SIZE // 4), slice(SIZE // 3, 2 * SIZE // 3)
        a, b = (cv2.blur(x[ys, xs], (5, 5)).astype(float) for x in (a, b))
        return np.abs((a - a.mean(axis=(0, 1))) - (b - b.mean(axis=(0, 1)))).mean()

    others = [err(frames[1], clip.frames[k]) for k in range(2, 12)]
    assert err(frames[1], clip.frames[0]) < 0.6 * min(others)  # frame i is source frame i
    assert np.array_equal(frames[0], frames[2])
    lm = pc.landmarks[0]
    assert 0.2 * SIZE < np.ptp(lm[:, 0]) < 0.7 * SIZE  # pixels, not normalised
    audio = pc.audio()
    assert audio.dtype == np.float32 and audio.shape == (n * 16000 // 25,)
    assert np.corrcoef(np.abs(audio[: len(clip.audio)]), np.abs(clip.audio[: len(audio)]))[0, 1] > 0.8
    refs = pc.reference_candidates
    opening = np.asarray(pc.manifest["mouth_opening"])
    assert (
        len(refs) >= 5
        and opening[refs[0]] < np.percentile(opening, 15) < np.percentile(opening, 85) < opening[refs[-1]]
    )
    poses = pc.poses()
    assert poses["rotation"].shape == (n, 3, 3) and poses["similarity"].shape == (n, 2, 3)
    with pytest.raises(IndexError):
        pc.read_frames([n])


def test_cancel_mid_clip_leaves_nothing(demo, tmp_path):
    _, video, _ = demo
    out = tmp_path / "prepared" / "demo"
    runner = CollectingRunner()

    def sink(event):
        runner.events.append(event)
        if isinstance(event, Progress) and event.message == "tracking" and event.step == 5:
            runner.control.cancel()

    from core.jobs.job import execute

    result = execute(PrepareJob(video, out), sink, runner.control)
    assert result.status is Status.CANCELLED
    steps = [e.step for e in runner.of_type(Progress) if e.message == "tracking"]
    assert max(steps) == 5
    assert not out.exists() and list((tmp_path / "prepared").iterdir()) == []


def test_no_audio_is_allowed_and_flagged(demo, tmp_path):
    clip, _, _ = demo
    src = _write_frames(tmp_path / "mute.mp4", clip.frames[:30])
    out = tmp_path / "prepared" / "mute"
    result = CollectingRunner().run(PrepareJob(src, out))
    assert result.ok, result.error
    pc = PreparedClip.load(out)
    assert not pc.has_audio and not (out / "audio.wav").exists()
    with pytest.raises(BadInput, match="'mute' has no audio"):
        pc.audio()


def test_a_silent_sound_track_is_prepared_with_a_warning(demo, tmp_path, prepared):
    clip, _, _ = demo
    src = _write_frames(
        tmp_path / "mic_off.mp4", clip.frames[:30], audio=np.zeros(16000 * 30 // 25, np.float32)
    )
    runner = CollectingRunner()
    result = runner.run(PrepareJob(src, tmp_path / "prepared" / "mic_off"))
    assert result.ok, result.error
    mic_off = PreparedClip.load(tmp_path / "prepared" / "mic_off")
    assert mic_off.has_audio and mic_off.silent_audio and mic_off.manifest["audio_voiced_fraction"] == 0.0
    warnings = [e.message for e in runner.of_type(LogLine) if e.level == "warning"]
    assert len(warnings) == 1 and "mic_off.mp4 is silent in 100%" in warnings[0]
    out, speech = prepared  # the demo clip's speech: no warning
    assert not [e for e in speech.of_type(LogLine) if e.level == "warning"]
    assert not PreparedClip.load(out).silent_audio


@pytest.mark.parametrize("copy", [True, False], ids=["copied", "encoding"])
def test_a_short_clip_missing_faces_in_over_20_percent_fails_with_ranges(demo, tmp_path, copy):
    # found after the last frame, while (encoding) the encoder still works through its backlog; a
    # 1.6 s clip cannot hold the 2.5 s of tracked footage a longer one needs, so it needs a face in
    # 80 % of its frames (tests/core/face/test_missing_faces.py has the rule)
    clip, _, _ = demo
    frames = clip.frames[:40].copy()
    frames[10:20] = frames[0, :4, :4].mean(axis=(0, 1)).astype(np.uint8)  # blank background
    src = _write_frames(tmp_path / "gaps.mp4", frames)
    out = tmp_path / "prepared" / "gaps"
    result = CollectingRunner().run(PrepareJob(src, out, PrepareSettings(copy_when_possible=copy)))
    assert result.bad_input
    assert "no face found in 10 of 40 frames" in result.error and "10-19" in result.error
    assert "(at 0.40-0.80 s)" in result.error  # where to trim, as a video editor shows it
    assert "leaves 1.20 s with the face in view" in result.error and "at least 1.28 s" in result.error
    assert [p.name for p in out.iterdir()] == [FAILURE_FILE]  # no clip, the failure's record


def test_a_few_missing_faces_are_flagged_and_excluded(demo, tmp_path):
    clip, _, _ = demo
    frames = clip.frames[:40].copy()
    frames[30:34] = frames[0, :4, :4].mean(axis=(0, 1)).astype(np.uint8)
    src = _write_frames(tmp_path / "few.mp4", frames)
    out = tmp_path / "prepared" / "few"
    runner = CollectingRunner()
    result = runner.run(PrepareJob(src, out, PrepareSettings(copy_when_possible=False)))
    assert result.ok, result.error
    warnings = [e.message for e in runner.of_type(LogLine) if e.level == "warning"]
    assert warnings == [
        "few.mp4: no face in 0.16 s of 1.60 s (4 of 40 frames, at 1.20-1.36 s); those frames are left "
        "out of training, 1.44 s with the face in view remain."
    ]
    pc = PreparedClip.load(out)
    assert pc.manifest["video"].startswith("H.264")  # re-encoded: every frame still lines up
    video = pc.read_frames()
    assert len(video) == 40 and np.abs(video[31].astype(int) - frames[31]).mean() < 3  # a blank frame
    assert list(np.flatnonzero(~pc.valid)) == [30, 31, 32, 33]
    assert np.isfinite(pc.landmarks).all()
    assert all(i not in range(30, 34) for i in pc.reference_candidates)
    assert all(c == 0 for c in np.asarray(pc.manifest["quality"]["confidence"])[30:34])


def test_blank_video_fails_and_writes_nothing(tmp_path):
    frames = np.full((12, 128, 160, 3), 90, np.uint8)
    src = _write_frames(tmp_path / "blank.mp4", frames)
    out = tmp_path / "prepared" / "blank"
    result = CollectingRunner().run(PrepareJob(src, out))
    assert result.bad_input and "no face found in 12 of 12 frames" in result.error and "0-11" in result.error
    # no clip, only the record of the failure that the clip's card shows after a restart
    assert [p.name for p in out.iterdir()] == [FAILURE_FILE]
    record = json.loads((out / FAILURE_FILE).read_text())
    assert record["error"] == result.error == read_failure(out) and record["bad_input"] is True
    assert record["video"] == str(src)


def test_small_face_is_rejected_with_its_size(demo, tmp_path):
    clip, _, _ = demo
    # the 256 px demo face (~105 px wide) shrunk to a ~50 px face in a bigger frame
    small = [cv2.resize(f, (128, 128), interpolation=cv2.INTER_AREA) for f in clip.frames[:20]]
    frames = np.full((20, 320, 320, 3), 0, np.uint8)
    frames[:] = clip.frames[0, :4, :4].mean(axis=(0, 1)).astype(np.uint8)
    frames[:, 96:224, 96:224] = small
    src = _write_frames(tmp_path / "far.mp4", frames)
    result = CollectingRunner().run(PrepareJob(src, tmp_path / "prepared" / "far"))
    assert result.bad_input and "at least 80 px" in result.error
    assert 40 < float(result.error.split("the face is only ")[1].split(" px")[0]) < 70
    assert not (tmp_path / "prepared" / "far" / "manifest.json").exists()
    # with the real-size clip and a higher threshold the message reports the measured width
    big = _write_frames(tmp_path / "near.mp4", clip.frames[:15])
    result = CollectingRunner().run(
        PrepareJob(big, tmp_path / "prepared" / "near", PrepareSettings(min_face_px=400))
    )
    assert result.bad_input and "at least 400 px" in result.error
    width = float(result.error.split("the face is only ")[1].split(" px")[0])
    assert 80 < width < 200
    assert not (tmp_path / "prepared" / "near" / "manifest.json").exists()


def test_bad_settings_and_missing_file(tmp_path):
    result = CollectingRunner().run(PrepareJob(tmp_path / "nope.mp4", tmp_path / "out"))
    assert result.bad_input and "not found" in result.error
    assert (
        read_failure(tmp_path / "out") == result.error and not (tmp_path / "out" / "manifest.json").exists()
    )
    result = CollectingRunner().run(
        PrepareJob(tmp_path / "nope.mp4", tmp_path / "out", PrepareSettings(mouth_size=100))
    )
    assert result.bad_input and "mouth size 100" in result.error


def test_choose_subject_prefers_the_previous_then_the_largest_central_face():
    from core.face.tracker import choose_subject

    base = np.zeros((478, 3), np.float32)
    base[:, 0] = np.linspace(0, 100, 478)
    base[:, 1] = np.linspace(0, 120, 478)
    big_corner, small_centre = base * 1.2 + (10, 10, 0), base * 0.9 + (300, 200, 0)
    assert (
        choose_subject([small_centre, big_corner], None, (800, 600)) is small_centre
    )  # centrality wins here
    big_centre = base * 1.5 + (300, 200, 0)
    far_small = small_centre + np.array([400, 0, 0], np.float32)
    assert choose_subject([far_small, big_centre], None, (800, 600)) is big_centre
    assert (
        choose_subject([big_centre, big_corner], big_corner + 3, (800, 600)) is big_corner
    )  # keeps identity


def test_two_people_the_larger_is_the_subject(demo, tmp_path):
    clip, _, _ = demo
    frames = np.empty((30, SIZE, 2 * SIZE, 3), np.uint8)
    bg = clip.frames[0, :4, :4].mean(axis=(0, 1)).astype(np.uint8)
    for i in range(30):
        frames[i, :, :SIZE] = clip.frames[i]
        frames[i, :, SIZE:] = bg
        small = cv2.resize(clip.frames[29 - i], (180, 180), interpolation=cv2.INTER_AREA)
        frames[i, 38:218, SIZE + 38 : SIZE + 218] = small
    src = _write_frames(tmp_path / "two.mp4", frames)
    out = tmp_path / "prepared" / "two"
    result = CollectingRunner().run(PrepareJob(src, out))
    assert result.ok, result.error
    pc = PreparedClip.load(out)
    assert pc.manifest["tracker"]["most_faces_seen"] == 2
    assert pc.valid.all() and np.all(
        pc.landmarks[:, :, 0].mean(axis=1) < SIZE
    )  # always the left, larger face


def test_large_frames_are_tracked_downscaled_but_measured_in_full_pixels(demo):
    from core.face.tracker import FaceTracker, TrackerSettings

    clip, _, _ = demo
    frames = clip.frames[:8]
    with FaceTracker() as full, FaceTracker(TrackerSettings(max_side=192)) as small:
        a = np.stack([full.track(f) for f in frames])
        b = np.stack([small.track(f) for f in frames])
    width = np.ptp(a[0, :, 0])
    assert 0.3 * SIZE < np.ptp(b[0, :, 0]) < 0.7 * SIZE  # full-frame pixels, not the 192 px copy's
    assert np.abs(a[..., :2] - b[..., :2]).mean() < 0.03 * width
    assert abs(np.ptp(a[0, :, 2]) - np.ptp(b[0, :, 2])) < 0.1 * np.ptp(a[0, :, 2])  # z in the same units


def test_a_short_packet_copy_falls_back_to_encoding(demo, tmp_path, monkeypatch):
    # the copy is not waited for before tracking starts; if it comes out short, the frames are
    # encoded from a second decode, exactly as the stream would have encoded them
    import core.face.prepare_job as prepare_job
    from core.media.remux import copy_video

    _, video, _ = demo
    monkeypatch.setattr(prepare_job, "copy_video", lambda src, dst: copy_video(src, dst) - 1)
    fell_back = tmp_path / "prepared" / "fell_back"
    result = CollectingRunner().run(PrepareJob(video, fell_back))
    assert result.ok, result.error
    encoded = tmp_path / "prepared" / "encoded"
    assert CollectingRunner().run(PrepareJob(video, encoded, PrepareSettings(copy_when_possible=False))).ok
    pc = PreparedClip.load(fell_back)
    assert pc.manifest["video"] == "H.264 crf 14"
    assert (fell_back / "video.mp4").read_bytes() == (encoded / "video.mp4").read_bytes()
    assert len(pc.read_frames()) == pc.manifest["frame_count"]


def test_the_graph_built_beside_the_probe_is_closed_however_the_job_ends(demo, tmp_path, monkeypatch):
    """The tracker's graph is built on a thread while the file is probed: a refused file closes the
    graph nobody took, a prepared clip closes the one the stream took, each exactly once, no build
    thread outlives the job, and a file that is not there builds no graph at all."""
    import threading

    from core.face.tracker import FaceTracker

    closed: list[FaceTracker] = []
    real_close = FaceTracker.close

    def close(self: FaceTracker) -> None:
        closed.append(self)
        real_close(self)

    monkeypatch.setattr(FaceTracker, "close", close)
    result = CollectingRunner().run(PrepareJob(tmp_path / "nope.mp4", tmp_path / "prepared" / "nope"))
    assert result.bad_input and "not found" in result.error and closed == []
    (tmp_path / "broken.mp4").write_bytes(b"not a video at all" * 100)
    result = CollectingRunner().run(PrepareJob(tmp_path / "broken.mp4", tmp_path / "prepared" / "broken"))
    assert result.bad_input, result.error
    assert len(closed) == 1
    result = CollectingRunner().run(PrepareJob(demo[1], tmp_path / "prepared" / "demo"))
    assert result.ok and len(closed) == 2 and closed[0] is not closed[1]
    assert not [t for t in threading.enumerate() if t.name == "prepare-graph"]


def test_a_close_up_whose_crop_leaves_the_frame_everywhere_prepares_with_a_warning(demo, tmp_path):
    """A tight close-up (the face crop's margin past the top edge in every frame) stopped prepare
    with 'ValueError: number sections must be larger than 0' (exit 1): no frame was usable for the
    reference candidates. It now prepares (the Gaussian avatar uses every frame) with a warning,
    and lip-sync training refuses it naming the cause and the fix."""
    from core.lipsync.dataset import split_clip

    clip, _, _ = demo
    src = _write_frames(tmp_path / "tight.mp4", np.ascontiguousarray(clip.frames[:20, 95:231]))
    runner = CollectingRunner()
    result = runner.run(PrepareJob(src, tmp_path / "prepared" / "tight"))
    assert result.ok, result.error
    pc = PreparedClip.load(tmp_path / "prepared" / "tight")
    assert all(pc.manifest["quality"]["crop_out_of_frame"]) and pc.valid.all()
    assert len(pc.reference_candidates) == 8
    warnings = [e.message for e in runner.of_type(LogLine) if e.level == "warning"]
    assert len(warnings) == 1 and "reaches past the frame's edge in 20 of 20 tracked frames" in warnings[0]
    with pytest.raises(BadInput, match=r"face crop reaches past the frame's edge.*zoom out"):
        split_clip(pc)
