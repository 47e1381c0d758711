"""A C++ kernel's module for the tests: built with its install-time command when this machine has not
built it yet; the test skips only where there is no C++ compiler."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from types import ModuleType

import pytest

from tests.conftest import REPO_ROOT


def built_module(status: Callable, command_module: str, what: str) -> ModuleType:
    """`status` is the kernel's cached loader (`.cache_clear()`, `.ok`, `.module`, `.detail`);
    `command_module` its build command (`python -m MODULE`)."""
    if status().ok:
        return status().module
    if shutil.which("c++") is None and shutil.which("g++") is None:
        pytest.skip(f"no C++ compiler (c++/g++) on this machine: the {what} cannot be built")
    proc = subprocess.run(
        [sys.executable, "-m", command_module], cwd=REPO_ROOT, capture_output=True, text=True, timeout=900
    )
    assert proc.returncode == 0, f"`python -m {command_module}` failed:\n{proc.stdout}\n{proc.stderr}"
    status.cache_clear()
    assert status().ok, status().detail
    return status().module
