"""Clips that lose the face for a while: prepare goes on while enough tracked footage remains
(`core.face.clip_quality.TrackedFootage`), warns where the face was lost, and the trainers and the
renderer skip those frames; a clip with too little footage, or mostly face-less, is refused (exit 2)
with the problem and the fix."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.face.clip_quality import TrackedFootage, check_tracking, missing_faces_warning
from core.jobs.errors import BadInput

SAMPLE = Path(__file__).resolve().parents[3].parent / "shared" / "samples" / "talking_590_25fps_c.mp4"
REPO = Path(__file__).resolve().parents[3]


def _found(n: int, lost: slice) -> np.ndarray:
    found = np.ones(n, bool)
    found[lost] = False
    return found


def _refusal(found: np.ndarray, fps: float = 25.0) -> str:
    with pytest.raises(BadInput) as err:
        check_tracking(found, Path("take.mp4"), fps)
    return str(err.value)


def test_a_four_second_clip_that_loses_the_face_for_a_second_and_more_is_prepared():
    check_tracking(_found(100, slice(0, 30)), Path("walk_in.mp4"), 25.0)  # 1.2 s of 4 s: 30 %
    check_tracking(_found(100, slice(40, 70)), Path("turn_away.mp4"), 25.0)
    check_tracking(_found(1500, slice(0, 700)), Path("long.mp4"), 25.0)  # 47 % lost, 32 s remain
    warning = missing_faces_warning(_found(100, slice(0, 30)), 25.0, "walk_in.mp4")
    assert warning == (
        "walk_in.mp4: no face in 1.20 s of 4.00 s (30 of 100 frames, at 0.00-1.20 s); those frames are "
        "left out of training, 2.80 s with the face in view remain."
    )
    assert missing_faces_warning(np.ones(100, bool), 25.0, "all.mp4") is None


def test_too_little_footage_is_refused_naming_what_is_left_and_what_is_needed():
    message = _refusal(_found(100, slice(0, 40)))  # 2.4 s with a face, 2.5 s needed
    assert message.startswith(
        "take.mp4: no face found in 40 of 100 frames (40%) - frames 0-39 (at 0.00-1.60 s)"
    )
    assert "leaves 2.40 s with the face in view" in message and "at least 2.50 s" in message
    assert "(63 frames at 25 fps)" in message and "Use a longer clip" in message
    # a short clip cannot hold 2.5 s: it needs a face in 80 % of its frames, as before
    check_tracking(_found(40, slice(30, 38)), Path("short.mp4"), 25.0)
    message = _refusal(_found(40, slice(10, 20)))
    assert "no face found in 10 of 40 frames" in message and "frames 10-19 (at 0.40-0.80 s)" in message
    assert "at least 1.28 s of it (32 frames at 25 fps)" in message


def test_a_mostly_face_less_clip_is_refused_however_long():
    message = _refusal(_found(1500, slice(0, 800)))  # 28 s with a face, but 53 % without
    assert "no face found in 800 of 1500 frames (53%)" in message
    assert "most of the clip shows no face" in message and "at least 50% of the frames" in message
    assert "Trim the video to the part where the speaker's face is in view" in message
    message = _refusal(np.zeros(12, bool))
    assert message.startswith("take.mp4: no face found in 12 of 12 frames (100%) - frames 0-11")
    assert "Use a video in which one person's face is visible." in message


def test_the_rule_counts_seconds_at_the_prepared_rate():
    rule = TrackedFootage()
    assert rule.frames_needed(100, 25.0) == 62.5  # 2.5 s
    assert rule.frames_needed(100, 50.0) == 80.0  # 2 s of clip: 80 % of it
    assert rule.frames_needed(1000, 25.0) == 500.0  # half the clip
    check_tracking(_found(200, slice(0, 60)), Path("at_50fps.mp4"), 50.0)  # 2.8 s of 4 s at 50 fps


def _cut_with_the_face_covered(out: Path, covered: tuple[float, float], seconds: float = 4.0) -> Path:
    """The first `seconds` of sample c, with its sound, and a black board over the middle of the
    frame (the face) from covered[0] to covered[1] seconds."""
    from core.media.audio import read_audio
    from core.media.decode import iter_frames
    from core.media.mp4_writer import Mp4Writer

    frames = list(iter_frames(SAMPLE, 25.0, int(seconds * 25)))
    h, w = (d - d % 2 for d in frames[0].shape[:2])
    with Mp4Writer(out, w, h, 25.0, sample_rate=16000, crf=12) as writer:
        for i, frame in enumerate(frames):
            frame = frame[:h, :w].copy()
            if covered[0] * 25 <= i < covered[1] * 25:
                frame[h // 10 : 9 * h // 10, w // 10 : 9 * w // 10] = 0
            writer.write_frame(frame)
        writer.write_audio(read_audio(SAMPLE, duration=seconds))
    return out


def _cli(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "studio.cli.main", *argv],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=REPO,
    )


@pytest.mark.slow
@pytest.mark.samples
@pytest.mark.skipif(not SAMPLE.is_file(), reason=f"real sample clip not found at {SAMPLE}")
def test_a_real_clip_that_starts_face_less_prepares_trains_and_renders(tmp_path):
    """4 s of a real clip whose first 1.2 s hide the face (someone walking in): `dhstudio prepare`
    exits 0 with a warning naming the seconds and where; the audio-to-mouth model and the lip-sync
    avatar train on it and the avatar renders (the face-less frames are skipped, not learnt)."""
    from studio.project import create_project

    project = create_project(tmp_path / "P")
    video = _cut_with_the_face_covered(tmp_path / "walk_in.mp4", (0.0, 1.2))
    run = _cli("prepare", str(video), "--project", str(project.root), "--quiet")
    assert run.returncode == 0, run.stderr
    assert "no face in 1.20 s of 4.00 s (30 of 100 frames, at 0.00-1.20 s)" in run.stderr
    clip = project.prepared_dir / "walk_in"
    manifest = json.loads((clip / "manifest.json").read_text())
    assert manifest["quality"]["face_found"] == [False] * 30 + [True] * 70
    assert min(manifest["reference_candidates"]) >= 30

    def train(job: str, name: str, *settings: str) -> dict:
        sets = [arg for setting in settings for arg in ("--set", setting)]
        argv = ["train", f"training_jobs/{job}", "--project", str(project.root), "--max-steps", "3"]
        done = _cli(*argv, "--device", "cpu", "--run-name", name, "--quiet", *sets)
        assert done.returncode == 0, done.stderr
        metrics = [json.loads(line) for line in (project.root / "runs" / name / "metrics.jsonl").open()]
        return {m["name"]: m["value"] for m in metrics}  # the last value of each

    voice = train("audio2mouth.toml", "voice", "train.epoch_steps=3", "train.batch=4")
    assert np.isfinite(voice["audio2mouth/heldout_loss"]) and np.isfinite(voice["audio2mouth/heldout_lmd_px"])
    face = train("dinet_mini.toml", "face", "train.batch_size=2")
    assert np.isfinite(face["held_out/psnr_mouth"]) and face["held_out/psnr_mouth"] > 5
    out = tmp_path / "said.mp4"
    speech = tmp_path / "speech.wav"
    from core.media.audio import read_audio
    from core.media.wav import write_wav

    write_wav(speech, read_audio(SAMPLE, duration=2.0), 16000)
    face_run = str(project.root / "runs" / "face")
    done = _cli("render", face_run, "--audio", str(speech), "--out", str(out), "--device", "cpu", "--quiet")
    assert done.returncode == 0, done.stderr
    from core.media.decode import probe

    info = probe(out)
    assert info.has_audio and abs(info.duration - 2.0) < 0.1


@pytest.mark.slow
@pytest.mark.samples
@pytest.mark.skipif(not SAMPLE.is_file(), reason=f"real sample clip not found at {SAMPLE}")
def test_a_real_clip_whose_held_out_end_is_face_less_trains_the_audio_model(tmp_path):
    """The speaker walks out for the last 1.2 s: the held-out last 20 % has no tracked frame. The
    audio-to-mouth model still trains (it stopped with 'cannot reshape array of size 0'); its
    held-out scores are NaN (nothing to score), not made up."""
    from studio.project import create_project

    project = create_project(tmp_path / "P")
    video = _cut_with_the_face_covered(tmp_path / "walk_out.mp4", (2.8, 4.0))
    run = _cli("prepare", str(video), "--project", str(project.root), "--quiet")
    assert run.returncode == 0, run.stderr
    assert "(30 of 100 frames, at 2.80-4.00 s)" in run.stderr
    argv = ["train", "training_jobs/audio2mouth.toml", "--project", str(project.root), "--max-steps", "3"]
    sets = ["--set", "train.epoch_steps=3", "--set", "train.batch=4"]
    done = _cli(*argv, "--device", "cpu", "--run-name", "voice", "--quiet", *sets)
    assert done.returncode == 0, done.stderr
    summary = json.loads((project.root / "runs" / "voice" / "summary.json").read_text())
    assert summary["step"] == 3 and np.isnan(summary["heldout_loss"]) and np.isfinite(summary["train_loss"])


@pytest.mark.samples
@pytest.mark.skipif(not SAMPLE.is_file(), reason=f"real sample clip not found at {SAMPLE}")
def test_a_real_clip_with_too_little_face_is_refused_with_exit_2(tmp_path):
    from core.face.prepare_failure import read_failure
    from studio.project import create_project, open_project

    project = create_project(tmp_path / "P")
    video = _cut_with_the_face_covered(tmp_path / "away.mp4", (1.0, 2.6))  # 2.4 s of 4 s show the face
    run = _cli("prepare", str(video), "--project", str(project.root), "--quiet")
    assert run.returncode == 2, run.stderr
    assert "away.mp4: no face found in 40 of 100 frames (40%) - frames 25-64 (at 1.00-2.60 s)" in run.stderr
    assert "leaves 2.40 s with the face in view" in run.stderr and "at least 2.50 s" in run.stderr
    assert "trim or re-record the face-less part" in run.stderr
    assert "no face found in 40 of 100 frames" in read_failure(project.layout.clip("away"))
    assert not (project.prepared_dir / "away" / "manifest.json").exists()
    assert open_project(project.root).clips == []
