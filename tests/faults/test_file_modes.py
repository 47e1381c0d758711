"""Written files follow the umask, and a replaced file keeps its mode (issue 13, item 10).

Before: every atomic write made 0600 files (mkstemp) and 0700 prepared-clip folders (mkdtemp),
whatever the umask, and a re-save reset a user's chmod.
"""

from __future__ import annotations

import contextlib
import os
import stat

import numpy as np
import pytest

from core.io import atomic


@contextlib.contextmanager
def umask(value: int):
    old = os.umask(value)
    try:
        yield
    finally:
        os.umask(old)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _writers(tmp_path):
    """Every kind of output the studio writes, each through its real writer."""
    from core.gaussians.ply import PlyGaussians, write_ply
    from core.media.mp4_writer import Mp4Writer
    from core.train.checkpoint import save_checkpoint

    def mp4(path):
        with Mp4Writer(path, 32, 32, 25.0, sample_rate=16000) as w:
            w.write_frame(np.zeros((32, 32, 3), np.uint8))
            w.write_audio(np.zeros(1600, np.float32))

    n = 4
    gaussians = PlyGaussians(
        np.zeros((n, 3), np.float32),
        np.zeros((n, 1, 3), np.float32),
        np.zeros(n, np.float32),
        np.zeros((n, 3), np.float32),
        np.tile(np.array([1, 0, 0, 0], np.float32), (n, 1)),
        None,
        "world",
    )
    return {
        "report.json": lambda p: atomic.write_json(p, {"fps": 25}),
        "config.toml": lambda p: atomic.write_text(p, "x = 1\n"),
        "landmarks.npy": lambda p: atomic.save_npy(p, np.zeros(3, np.float32)),
        "last.pt": lambda p: save_checkpoint(p, {"step": 1}),
        "avatar.ply": lambda p: write_ply(p, gaussians),
        "video.mp4": mp4,
    }


@pytest.mark.parametrize("mask", [0o022, 0o027, 0o077], ids=oct)
def test_new_outputs_get_the_mode_plain_open_would(tmp_path, mask):
    with umask(mask):
        for name, write in _writers(tmp_path).items():
            write(tmp_path / name)
            assert mode(tmp_path / name) == 0o666 & ~mask, name
        with atomic.atomic_dir(tmp_path / "clip") as d:
            (d / "a.txt").write_text("a")
    assert mode(tmp_path / "clip") == 0o777 & ~mask
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [*_writers(tmp_path), "clip"]
    )  # no temporaries


def test_a_users_chmod_survives_the_next_save(tmp_path):
    with umask(0o077):  # new files would be 0600
        for name, write in _writers(tmp_path).items():
            path = tmp_path / name
            write(path)
            os.chmod(path, 0o644)
            write(path)  # re-save replaces the file
            assert mode(path) == 0o644, name
        with atomic.atomic_dir(tmp_path / "clip"):
            pass
        os.chmod(tmp_path / "clip", 0o750)
        with atomic.atomic_dir(tmp_path / "clip") as d:  # re-prepare replaces the folder
            (d / "b.txt").write_text("b")
    assert mode(tmp_path / "clip") == 0o750 and (tmp_path / "clip" / "b.txt").is_file()


def test_project_and_prepared_clip_follow_the_umask(fault_project):
    """The fixture project was made by the real `create_project` and PrepareJob under umask 0022."""
    root, clip = fault_project.root, fault_project.clip
    assert mode(root / "project.toml") == 0o644
    assert mode(clip) == 0o755  # was 0700
    for name in ("manifest.json", "landmarks.npy", "poses.npz", "crops.npz", "audio.wav", "video.mp4"):
        assert mode(clip / name) == 0o644, name
    for run in (fault_project.dinet_run, fault_project.audio_run):
        assert mode(run / "status.json") == mode(run / "checkpoints" / "last.pt") == 0o644


def test_project_toml_keeps_its_mode_when_the_project_is_saved(tmp_path):
    from studio.project import create_project, open_project

    with umask(0o022):
        project = create_project(tmp_path / "P")
        assert mode(project.root / "project.toml") == 0o644
        os.chmod(project.root / "project.toml", 0o640)
        open_project(project.root).add_clip("talk")
    assert mode(project.root / "project.toml") == 0o640
    assert "talk" in (project.root / "project.toml").read_text()
