"""PySide6's lost references of None and True cannot end a long session (studio.gui.pyside_refcounts)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from studio.gui import pyside_refcounts

# A session in one process: more void Qt calls and emits than None and True have references.
SESSION = """
import sys
from PySide6.QtCore import QObject, Signal
calls_none, calls_true = sys.getrefcount(None) + 2000, sys.getrefcount(True) + 2000
if sys.argv[1] == "guarded":
    from studio.gui import pyside_refcounts
    assert pyside_refcounts.install()
class Sender(QObject):
    changed = Signal()
label, sender = QObject(), Sender()
for _ in range(calls_none):
    label.setObjectName("")  # a void method
for _ in range(calls_true):
    sender.changed.emit()
print("session over", flush=True)
"""


def _session(mode: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-c", SESSION, mode], capture_output=True, text=True, timeout=120, env=env
    )


def test_the_guard_is_installed_for_the_test_session(qapp):
    """tests/conftest.py installs it with pytest-qt's application, as `dhstudio gui` does in main()."""
    assert pyside_refcounts.install() == (sys.version_info < (3, 12) and pyside_refcounts.drains())
    assert sys.getrefcount(None) > 0 and sys.getrefcount(True) > 0


def test_a_long_session_outlives_the_lost_references():
    if sys.version_info >= (3, 12) or not pyside_refcounts.drains():
        pytest.skip("this Python/PySide6 keeps None's and True's references")
    unguarded = _session("unguarded")
    assert unguarded.returncode != 0 and "none_dealloc" in unguarded.stderr, unguarded.stderr[-500:]
    guarded = _session("guarded")
    assert guarded.returncode == 0, guarded.stderr[-2000:]
    assert "session over" in guarded.stdout
