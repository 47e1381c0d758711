"""The media cards' facts: what prepare measured of the sound track wins over the file probe."""

from __future__ import annotations

import json

import numpy as np

from core.media.mp4_writer import Mp4Writer
from studio.gui.media_library import clip_entries
from studio.project import create_project


def _video_with_silent_track(path):
    writer = Mp4Writer(path, 64, 64, 25.0, sample_rate=16000)
    for _ in range(10):
        writer.write_frame(np.full((64, 64, 3), 128, np.uint8))
        writer.write_audio(np.zeros(640, np.float32))
    writer.close()


def test_a_prepared_silent_track_is_called_silent_on_its_card(tmp_path):
    project = create_project(tmp_path / "p")
    project.media_dir.mkdir(parents=True, exist_ok=True)
    _video_with_silent_track(project.media_dir / "quiet.mp4")
    (entry,) = clip_entries(project)
    assert "with audio" in entry.details  # only probed: a sound track exists

    prepared = project.prepared_dir / "quiet"
    prepared.mkdir(parents=True)
    (prepared / "manifest.json").write_text(json.dumps({"name": "quiet", "audio_voiced_fraction": 0.0}))
    (entry,) = clip_entries(project)
    assert entry.silent_audio and "silent audio" in entry.details

    (prepared / "manifest.json").write_text(json.dumps({"name": "quiet", "audio_voiced_fraction": 0.6}))
    (entry,) = clip_entries(project)
    assert not entry.silent_audio and "with audio" in entry.details


def test_a_clip_is_trained_by_a_run_a_user_trained_not_by_the_mapped_prior(tmp_path):
    """Render and Live map the audio-to-mouth prior onto a clip as a finished run made without
    training; the card called the clip "trained" although nothing was trained on it."""
    from core.train.run_folder import RunFolder, RunState
    from studio.gui.media_library import trained_clips

    project = create_project(tmp_path / "p")
    clip = project.prepared_dir / "talk"
    clip.mkdir(parents=True)
    (clip / "manifest.json").write_text(json.dumps({"name": "talk"}))
    prior = RunFolder(project.runs_dir / "1-audio2mouth-prior").create(
        "audio2mouth", {}, made_without_training=True
    )
    prior.set_status(RunState.FINISHED, clips=["talk"])
    assert trained_clips(project) == set()

    trained = RunFolder(project.runs_dir / "2-dinet").create("dinet", {})
    trained.set_status(RunState.FINISHED, clips=["talk"])
    assert trained_clips(project) == {"talk"}
