"""`python -m core.media.build_native`: the install-time build of the tone-map kernel."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from core import native_cache
from core.media import native
from tests.conftest import REPO_ROOT


@pytest.mark.skipif(not any(shutil.which(c) for c in ("cc", "gcc", "clang")), reason="no C compiler")
def test_build_command_compiles_a_kernel_the_loader_accepts(tmp_path):
    env = {**os.environ, native_cache.ENV_DIR: str(tmp_path), "PYTHONPATH": str(REPO_ROOT)}
    cmd = [sys.executable, "-m", "core.media.build_native"]
    proc = subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    built = tmp_path / native.module_file()
    assert built.is_file() and str(built) in proc.stdout
    assert [p.name for p in tmp_path.iterdir()] == [built.name]  # no object files or partial builds left
    loaded = native.load(tmp_path)
    assert loaded.ok and loaded.lib.dhs_tonemap_abi() == native.ABI
    first = built.stat().st_mtime_ns
    again = subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and built.stat().st_mtime_ns == first  # reused, not rebuilt


def test_a_broken_library_is_reported_not_loaded(tmp_path):
    (tmp_path / native.module_file()).write_bytes(b"not a shared library")
    broken = native.load(tmp_path)
    assert not broken.ok and "failed to load" in broken.detail and str(tmp_path) in broken.detail


def test_without_its_source_the_kernel_is_not_loaded(tmp_path, monkeypatch):
    """A bundle that left the C source out: the NumPy route, and the reason, instead of a crash."""
    monkeypatch.setattr(native, "SOURCE", tmp_path / "missing.c")
    gone = native.load(tmp_path)
    assert not gone.ok and "missing.c" in gone.detail
