"""Ctrl-C in the terminal that started `dhstudio gui`: the window closes, exit 130, no traceback.

Was: a KeyboardInterrupt traceback inside a Qt timer slot, and the window stayed open. A real SIGINT
to a real `dhstudio gui` child process (offscreen), once its window is up."""

from __future__ import annotations

from studio.project import create_project
from tests.faults.interrupt import cli_argv, interrupt


def test_ctrl_c_closes_the_studio_window(tmp_path):
    project = create_project(tmp_path / "P")
    ended = interrupt(
        cli_argv("-v", "gui", str(project.root)),
        ready=lambda err: "studio window shown" in err,
        stop_timeout=60,
    )
    assert ended.code == 130, ended.err[-3000:]
    assert "Traceback" not in ended.err and "KeyboardInterrupt" not in ended.err, ended.err[-3000:]
