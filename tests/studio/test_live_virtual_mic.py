"""The microphone path for real: PortAudio records a PulseAudio null sink's monitor that a speech file
is played into (`tests.core.realtime.virtual_mic`), through `dhstudio live --mic` and the live panel.
Skipped with the reason where PulseAudio cannot run."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time

import pytest

from tests.core.media.audio_files import write_speech
from tests.core.realtime.virtual_mic import virtual_microphone


@pytest.fixture(scope="module")
def speech(tmp_path_factory):
    return write_speech(tmp_path_factory.mktemp("vmic") / "speech.wav", 2.0, seed=11, gain=0.6)


@pytest.fixture
def mic(tmp_path):
    with virtual_microphone(tmp_path) as m:
        yield m


def _feed_while(mic, speech, alive) -> threading.Thread:
    """Play the speech into the virtual microphone, then 1 s of silence, again and again."""

    def run() -> None:
        while alive():
            mic.play(speech).wait(timeout=30)
            time.sleep(1.0)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_cli_live_from_the_virtual_microphone_moves_the_mouth(gp, speech, mic, tmp_path, repo_root):
    report = tmp_path / "mic.json"
    args = [sys.executable, "-m", "studio.cli.main", "live", str(gp.dinet_run), "--mic"]
    args += ["--input-device", mic.device, "--seconds", "6", "--no-display", "--quiet"]
    args += ["--report", str(report), "--record", str(tmp_path / "mic.mp4")]
    args += ["--audio-model", str(gp.audio_run)]
    env = {**mic.env, "PYTHONPATH": str(repo_root)}
    live = subprocess.Popen(args, cwd=repo_root, env=env, stderr=subprocess.PIPE, text=True)
    feeder = _feed_while(mic, speech, lambda: live.poll() is None)
    _, err = live.communicate(timeout=180)
    assert live.returncode == 0, err[-2000:]
    feeder.join(timeout=40)
    r = json.loads(report.read_text())
    frames = r["frames"]
    assert r["audio"]["source"] == f"mic:{mic.device}" and r["stop_reason"] == "time_limit"
    assert frames["idle"] > 0  # the pauses: the source loop as is
    assert frames["rendered"] - frames["idle"] >= 10  # the speech: mouths rendered from the audio


def test_live_panel_on_the_virtual_microphone(qtbot, gp, speech, mic, monkeypatch):
    from studio.gui.live_controller import LiveController
    from ui.live_view import LiveView

    monkeypatch.setenv("PULSE_SERVER", mic.server)
    view = LiveView()
    qtbot.addWidget(view)
    controller = LiveController(view)
    controller.set_project(gp.root)
    names = [view.device_combo.itemText(i) for i in range(view.device_combo.count())]
    assert any(mic.device in n for n in names), names
    view.device_combo.setCurrentIndex(next(i for i, n in enumerate(names) if mic.device in n))
    view.mic_radio.setChecked(True)
    controller.select_avatar(gp.dinet_run)
    with qtbot.waitSignal(controller.session_finished, timeout=120_000) as done:
        view.start_button.click()
        qtbot.waitUntil(lambda: controller.statuses >= 2, timeout=60_000)
        feeder = _feed_while(mic, speech, lambda: controller.thread is not None)
        qtbot.waitUntil(lambda: controller.last_status.level_db > -30, timeout=40_000)  # the meter moves
        assert view.level.value() > -30
        qtbot.waitUntil(lambda: controller.last_status.rendered > 60, timeout=30_000)
        view.stop_button.click()
    assert done.args[0].status.value == "cancelled" and view.view.frames_shown > 0
    assert controller.last_report["frames"]["rendered"] - controller.last_report["frames"]["idle"] > 0
    feeder.join(timeout=40)
