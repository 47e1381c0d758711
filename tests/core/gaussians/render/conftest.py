"""Builds the fused C++ rasterizer once per session when it is missing (skips only without a compiler)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from types import ModuleType

import pytest

from core.gaussians.render import native, native_build
from tests.conftest import REPO_ROOT


@pytest.fixture(scope="session")
def native_module() -> ModuleType:
    """The compiled module, built with the install-time command if this machine has not built it yet."""
    if native.status().ok:
        return native.status().module
    if shutil.which("c++") is None and shutil.which("g++") is None:
        pytest.skip("no C++ compiler (c++/g++) on this machine: the fused rasterizer cannot be built")
    proc = subprocess.run(
        [sys.executable, "-m", "core.gaussians.render.build_native"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, f"`{native_build.BUILD_COMMAND}` failed:\n{proc.stdout}\n{proc.stderr}"
    native.status.cache_clear()
    assert native.status().ok, native.status().detail
    return native.status().module
