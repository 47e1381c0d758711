"""Ctrl-C while a command imports its engine waits for the import to end, then cancels.

A KeyboardInterrupt raised while C++ code runs an import (torch's pybind11 start-up) aborted the
process with SIGABRT about once in many runs of tests/faults/test_ctrl_c.py; here the press is
made deterministic: a module sends SIGINT to its own process while it is being imported.
"""

from __future__ import annotations

import signal
import sys
import time

import pytest

from studio.cli.main import _ctrl_c_after_imports

SLOW_MODULE = """
import os, signal, time
os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C while this module is being imported
t0 = time.monotonic()
while time.monotonic() - t0 < 0.3:  # bytecode keeps running: a handler that raised would stop it here
    pass
FINISHED = True
"""


def test_a_press_during_an_import_cancels_after_it(tmp_path, monkeypatch):
    (tmp_path / "slow_engine.py").write_text(SLOW_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "slow_engine", raising=False)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    with pytest.raises(KeyboardInterrupt), _ctrl_c_after_imports():
        import slow_engine

        assert slow_engine.FINISHED  # the import ran to its end
        time.sleep(2)  # the press, sent again after the import, cancels here
    assert sys.modules["slow_engine"].FINISHED
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_press_outside_imports_cancels_at_once():
    import os

    with pytest.raises(KeyboardInterrupt), _ctrl_c_after_imports():
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(2)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
