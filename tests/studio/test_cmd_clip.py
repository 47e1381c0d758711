"""`dhstudio clip list|rename|remove`: the media panel's clip actions as commands, run as a user runs
them (a child process), refused with exit 2 and nothing changed while another job holds the clip."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from core.io.claim import claimed
from studio.project import open_project
from tests.conftest import REPO_ROOT
from tests.core.lipsync.prepared_fixture import build_prepared_clip


@pytest.fixture
def project(tmp_path_factory):
    source = build_prepared_clip(tmp_path_factory.getbasetemp() / "clip_cmd_project").parent.parent
    root = tmp_path_factory.mktemp("proj")
    shutil.copytree(source, root, dirs_exist_ok=True)
    return root


def _clip(*argv: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "studio.cli.main", "clip", *argv]
    return subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)


def test_list_rename_and_remove(project):
    listed = _clip("list", "--project", str(project))
    assert listed.returncode == 0, listed.stderr
    name, state, video, timing = listed.stdout.strip().split("\t")
    assert (name, state, video) == ("tiny", "prepared", "tiny.mp4") and "Sound" in timing

    renamed = _clip("rename", "tiny", "talk", "--project", str(project))
    assert renamed.returncode == 0, renamed.stderr
    assert (project / "media" / "talk.mp4").is_file() and (
        project / "prepared" / "talk" / "manifest.json"
    ).is_file()
    assert open_project(project).clips == ["talk"]

    gone = _clip("remove", "tiny", "--project", str(project))
    assert gone.returncode == 2 and "No clip named 'tiny'" in gone.stderr and "talk" in gone.stderr

    removed = _clip("remove", "talk", "--project", str(project))
    assert removed.returncode == 0, removed.stderr
    assert not (project / "prepared" / "talk").exists() and not (project / "media" / "talk.mp4").exists()
    assert open_project(project).clips == []
    assert "no clips" in _clip("list", "--project", str(project)).stdout


def test_a_clip_another_job_holds_is_neither_renamed_nor_removed(project):
    clip = project / "prepared" / "tiny"
    before = sorted(p.name for p in clip.iterdir())
    with claimed(clip, "prepare", "prepare it"):  # this process prepares it (a live holder)
        for argv in (("rename", "tiny", "talk"), ("remove", "tiny")):
            refused = _clip(*argv, "--project", str(project))
            assert refused.returncode == 2, refused.stderr
            assert "in use" in refused.stderr and "prepare" in refused.stderr
    assert sorted(p.name for p in clip.iterdir()) == before and (project / "media" / "tiny.mp4").is_file()
