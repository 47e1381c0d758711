"""Builds the fused DINet mini kernel once per session when it is missing (skips only without a compiler).

Imported by the conftests of the test folders that use it (lipsync, realtime)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from types import ModuleType

import pytest

from tests.conftest import REPO_ROOT


@pytest.fixture(scope="session")
def native_mini_module() -> ModuleType:
    """The compiled kernel, built with the install-time command if this machine has not built it yet."""
    from core.lipsync import native_mini

    if native_mini.status().ok:
        return native_mini.status().module
    if shutil.which("c++") is None and shutil.which("g++") is None:
        pytest.skip("no C++ compiler (c++/g++) on this machine: the DINet mini kernel cannot be built")
    proc = subprocess.run(
        [sys.executable, "-m", "core.lipsync.build_native"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, (
        f"`{native_mini.EXTENSION.build_command}` failed:\n{proc.stdout}\n{proc.stderr}"
    )
    native_mini.status.cache_clear()
    assert native_mini.status().ok, native_mini.status().detail
    return native_mini.status().module
