"""A project on a read-only disk (a shared drive, a mounted backup): commands that must write into it
refuse at the start with a message that says so, instead of a traceback or a bare OSError."""

from __future__ import annotations

import subprocess

from core.train.run_folder import RunFolder
from studio.cli.main import main
from tests.faults.mounts import entries, tmpfs


def test_prepare_into_a_read_only_project(tmp_path, samples_dir, capsys):
    root = tmp_path / "P"
    assert main(["new", str(root)]) == 0
    (root / "prepared").rmdir()
    with tmpfs(root / "prepared", read_only=True) as prepared:
        video = samples_dir / "talking_590_25fps_c.mp4"
        code = main(["prepare", str(video), "--project", str(root), "--quiet"])
        err = capsys.readouterr().err
        assert code == 2, err
        assert "Read-only file system" in err and "OSError" not in err
        assert "writable" in err
        assert entries(prepared) == []
    assert list((root / "media").iterdir()) == []  # the original was not imported either


def test_resume_a_run_on_a_read_only_disk(tmp_path, repo_root, capsys):
    root = tmp_path / "P"
    assert main(["new", str(root)]) == 0
    clip = root / "prepared" / "c"
    clip.mkdir()
    (clip / "manifest.json").write_text("{}")
    (root / "runs").rmdir()
    job = repo_root / "training_jobs" / "audio2mouth.toml"
    with tmpfs(root / "runs") as runs:
        RunFolder(runs / "r").create("audio2mouth", {}, job="audio2mouth")
        assert subprocess.run(["mount", "-o", "remount,ro", str(runs)]).returncode == 0
        code = main(["train", str(job), "--project", str(root), "--run-name", "r", "--resume", "--quiet"])
        err = capsys.readouterr().err
        assert code == 2, err
        assert "Read-only file system" in err and "Traceback" not in err
        assert "--resume" in err and "writable" in err


def test_eval_of_a_run_on_a_read_only_disk_says_where_else_to_write(tmp_path, capsys):
    """Without --json the figures go to RUN/eval.json; the message quoted '--json RUN/eval.json' as if
    the user had typed it, and did not say that --json writes them elsewhere."""
    with tmpfs(tmp_path / "runs") as runs:
        RunFolder(runs / "r").create("dinet", {})
        assert subprocess.run(["mount", "-o", "remount,ro", str(runs)]).returncode == 0
        assert main(["eval", str(runs / "r"), "--quiet"]) == 2
        err = capsys.readouterr().err
        assert "Read-only file system" in err and "--json FILE" in err
        assert f"--json {runs / 'r' / 'eval.json'}" not in err
