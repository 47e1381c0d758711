"""Issue 13 item 11 and two of item 12: `dhstudio live` without a display, --seconds and --list-devices."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from studio.cli.live_window import display_problem
from studio.cli.main import main
from tests.faults.kinds_fixture import tiny_project


@pytest.fixture
def proj(tmp_path_factory, tmp_path):
    return tiny_project(tmp_path_factory, tmp_path / "copy")


def test_display_problem():
    assert "no $DISPLAY" in display_problem({}, "linux")
    assert "no X server answers at DISPLAY=:97" in display_problem({"DISPLAY": ":97"}, "linux")
    assert "offscreen" in display_problem({"QT_QPA_PLATFORM": "offscreen", "DISPLAY": ":0"}, "linux")
    assert display_problem({}, "darwin") == "" and display_problem({}, "win32") == ""


def test_live_without_a_display_runs_headless(proj, tmp_path, repo_root):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["PYTHONPATH"] = str(repo_root)
    report = tmp_path / "r.json"
    cmd = [sys.executable, "-m", "studio.cli.main", "live", str(proj.dinet), "--audio-file", str(proj.wav),
           "--seconds", "0.3", "--report", str(report), "--quiet"]  # fmt: skip
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300, cwd=repo_root)
    assert out.returncode == 0, out.stderr[-2000:]
    assert (
        "no preview window (no $DISPLAY or $WAYLAND_DISPLAY" in out.stderr
        and "running headless" in out.stderr
    )
    r = json.loads(report.read_text())
    assert r["frames"]["emitted"] > 0 and r["error"] is None


@pytest.mark.parametrize("seconds", ["nan", "inf", "-1", "0"])
def test_seconds_must_be_a_positive_number(proj, capsys, seconds):
    code = main(
        ["live", str(proj.dinet), "--audio-file", str(proj.wav), "--no-display", "--seconds", seconds]
    )
    assert code == 2 and "--seconds must be a number of seconds > 0" in capsys.readouterr().err


def test_list_devices_says_when_there_are_none(capsys):
    code = main(["live", "--list-devices"])
    out, err = capsys.readouterr()
    try:
        import sounddevice

        inputs = [d for d in sounddevice.query_devices() if d.get("max_input_channels", 0) > 0]
    except OSError:  # PortAudio missing: a clear bad input naming it
        assert code == 2 and "PortAudio" in err
        return
    assert code == 0
    if inputs:
        assert len(out.strip().splitlines()) == len(inputs)
    else:
        assert "no audio input devices found" in out
