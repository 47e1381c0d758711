import subprocess
import sys
import textwrap

import numpy as np
import pytest

from core.io import atomic


def test_write_replaces_file_completely(tmp_path):
    p = tmp_path / "a.json"
    atomic.write_json(p, {"x": 1})
    atomic.write_json(p, {"x": 2})
    assert p.read_text().strip().endswith("}") and '"x": 2' in p.read_text()
    assert [f.name for f in tmp_path.iterdir()] == ["a.json"]


def test_exception_mid_write_leaves_old_file_and_no_temp(tmp_path):
    p = tmp_path / "state.bin"
    atomic.write_bytes(p, b"old")
    with pytest.raises(RuntimeError), atomic.atomic_open(p) as fh:
        fh.write(b"new partial")
        raise RuntimeError("disk full")
    assert p.read_bytes() == b"old"
    assert [f.name for f in tmp_path.iterdir()] == ["state.bin"]


def test_process_killed_mid_write_leaves_old_file_intact(tmp_path, repo_root):
    p = tmp_path / "ckpt.bin"
    atomic.write_bytes(p, b"old contents")
    script = textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {str(repo_root)!r})
        from core.io import atomic
        with atomic.atomic_open({str(p)!r}) as fh:
            fh.write(b"x" * 1000)
            fh.flush()
            os._exit(9)  # simulated crash: no cleanup, no rename
    """)
    rc = subprocess.run([sys.executable, "-c", script]).returncode
    assert rc == 9
    assert p.read_bytes() == b"old contents"


def test_save_npy_round_trip(tmp_path):
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    atomic.save_npy(tmp_path / "a.npy", a)
    np.testing.assert_array_equal(np.load(tmp_path / "a.npy"), a)


def test_atomic_dir_appears_only_when_complete(tmp_path):
    target = tmp_path / "clip"
    with pytest.raises(KeyboardInterrupt), atomic.atomic_dir(target) as d:
        (d / "manifest.json").write_text("{}")
        raise KeyboardInterrupt
    assert not target.exists() and list(tmp_path.iterdir()) == []
    with atomic.atomic_dir(target) as d:
        (d / "manifest.json").write_text("{}")
    assert (target / "manifest.json").is_file()
    with atomic.atomic_dir(target) as d:  # replacing an existing folder
        (d / "other.txt").write_text("x")
    assert sorted(f.name for f in target.iterdir()) == ["other.txt"]
    assert [f.name for f in tmp_path.iterdir()] == ["clip"]
