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
