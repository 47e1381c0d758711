"""Changing a prepared clip's sound timing after prepare: measured again, turned off or set, written
into the manifest only (atomically, the folder's time kept), refused while another job holds the clip."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from core.face.clip_sync import SoundSyncJob
from core.face.prepared import PreparedClip
from core.io.claim import claimed
from core.jobs.collector import CollectingRunner
from core.jobs.errors import BadInput
from core.mouth.av_sync import measure_av_offset
from tests.conftest import REPO_ROOT
from tests.core.lipsync.prepared_fixture import build_prepared_clip


@pytest.fixture
def clip(tmp_path_factory):
    """A fresh copy of a prepared 2.4 s synthetic clip with sound (each test changes it)."""
    source = build_prepared_clip(tmp_path_factory.getbasetemp() / "sync_project")
    project = tmp_path_factory.mktemp("proj")
    shutil.copytree(source.parent.parent, project, dirs_exist_ok=True)
    return project / "prepared" / source.name


def _files(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.name != "manifest.json"}


def test_a_fixed_offset_then_off_then_auto_rewrite_only_the_timing(clip):
    before_files, before_time = _files(clip), clip.stat().st_mtime_ns
    before = json.loads((clip / "manifest.json").read_text())
    runner = CollectingRunner()

    result = runner.run(SoundSyncJob(clip, "120"))
    assert result.ok, result.error
    loaded = PreparedClip.load(clip)
    assert (
        loaded.av_offset.applied
        and loaded.av_offset.offset_ms == 120.0
        and loaded.av_offset.source == "fixed"
    )
    assert loaded.av_offset.offset_frames == 3
    file_audio, retimed = loaded.audio("file"), loaded.audio()
    assert retimed.shape == file_audio.shape and (retimed[:-1920] == file_audio[1920:]).all()

    assert runner.run(SoundSyncJob(clip, "off")).ok
    assert PreparedClip.load(clip).av_offset.source == "off"
    assert (PreparedClip.load(clip).audio() == file_audio).all()

    assert runner.run(SoundSyncJob(clip, "auto")).ok
    loaded = PreparedClip.load(clip)
    want = measure_av_offset(loaded.audio("file"), loaded.fps, loaded.landmarks, loaded.valid)
    assert loaded.av_offset == want and loaded.av_offset.source == "measured"

    after = json.loads((clip / "manifest.json").read_text())
    assert {k: v for k, v in after.items() if k != "av_sync"} == {
        k: v for k, v in before.items() if k != "av_sync"
    }
    assert _files(clip) == before_files  # frames, landmarks, crops and sound untouched
    assert clip.stat().st_mtime_ns == before_time  # the project's clip order is kept
    assert not list(clip.parent.glob(f".{clip.name}*"))  # no claim marker left


def test_bad_settings_silent_clips_and_held_clips_are_refused_and_change_nothing(clip):
    manifest = (clip / "manifest.json").read_bytes()
    with pytest.raises(BadInput, match="'auto', 'off' or a fixed offset"):
        SoundSyncJob(clip, "soon")
    with claimed(clip, "prepare", "prepare it"):
        result = CollectingRunner().run(SoundSyncJob(clip, "80"))
    assert not result.ok and result.bad_input and "in use" in result.error and "prepare" in result.error
    assert (clip / "manifest.json").read_bytes() == manifest

    data = json.loads(manifest)
    data["has_audio"] = False
    (clip / "manifest.json").write_text(json.dumps(data))
    result = CollectingRunner().run(SoundSyncJob(clip, "80"))
    assert not result.ok and result.bad_input and "no sound track" in result.error


def test_the_command_sets_it_and_exits_2_on_bad_input(clip):
    project = clip.parent.parent
    cmd = [sys.executable, "-m", "studio.cli.main", "clip", "sync", clip.name, "--project", str(project)]
    ok = subprocess.run([*cmd, "--av-sync", "-80", "--quiet"], cwd=REPO_ROOT, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert "80 ms ahead of the picture" in ok.stdout
    assert PreparedClip.load(clip).av_offset.offset_ms == -80.0
    bad = subprocess.run([*cmd, "--av-sync", "later"], cwd=REPO_ROOT, capture_output=True, text=True)
    assert bad.returncode == 2 and "not understood" in bad.stderr
    missing = [sys.executable, "-m", "studio.cli.main", "clip", "sync", "nope", "--project", str(project)]
    gone = subprocess.run([*missing, "--av-sync", "off"], cwd=REPO_ROOT, capture_output=True, text=True)
    assert gone.returncode == 2 and "No prepared clip named 'nope'" in gone.stderr
