"""A live session shows in the Jobs dock as a running entry, can be stopped from there, and goes away
when the session ends, however it ends.

Was: the Jobs dock said "No job running" throughout a live session (it showed only in the Live
dock), so a user reading it started training that fought the session for the CPU.
"""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt

from core.jobs.job import Status
from studio.gui.settings import Preferences
from tests.core.media.audio_files import write_speech

CLICK = Qt.MouseButton.LeftButton


@pytest.fixture(scope="module")
def speech(tmp_path_factory):
    return write_speech(tmp_path_factory.mktemp("jobs_live") / "speech.wav", 2.0, seed=5)


@pytest.fixture(scope="module")
def long_speech(tmp_path_factory):
    return write_speech(tmp_path_factory.mktemp("jobs_live") / "long.wav", 30.0, seed=6)


def _choose(panels, run, audio) -> None:
    """In the Live dock: the avatar, 'Audio file' and the file."""
    panels.live.select_avatar(run)
    panels.live_view.file_radio.setChecked(True)
    panels.live_view.file_edit.setText(str(audio))


def _live_line(jobs) -> str:
    return jobs.live_label.text() if jobs.live_row.isVisible() else ""


def test_a_running_session_is_listed_with_its_fps_and_stopped_from_the_jobs_dock(
    qtbot, full_studio, gp, long_speech
):
    window, main, panels = full_studio
    assert main.open_path(gp.root)
    jobs, run = window.job_panel, gp.dinet_run.name
    assert jobs.title.text() == "No job running" and _live_line(jobs) == ""
    _choose(panels, gp.dinet_run, long_speech)
    with qtbot.waitSignal(panels.live.session_finished, timeout=120_000) as done:
        qtbot.mouseClick(panels.live_view.start_button, CLICK)
        assert _live_line(jobs) == f"Live: {run} — starting…"
        assert jobs.title.text() == "No other job running"
        qtbot.waitUntil(lambda: panels.live.statuses >= 2, timeout=120_000)
        assert re.fullmatch(rf"Live: {re.escape(run)} — \d+\.\d fps", _live_line(jobs)), _live_line(jobs)
        # its own Stop; Pause and Cancel stay the user jobs' (none runs)
        assert jobs.live_stop_button.isEnabled() and not jobs.cancel_button.isEnabled()
        qtbot.mouseClick(jobs.live_stop_button, CLICK)
    assert done.args[0].status is Status.CANCELLED
    assert panels.live_view.message.text().startswith("Session stopped.")  # said as the Live dock's Stop
    assert _live_line(jobs) == "" and jobs.title.text() == "No job running"
    assert f"Live: {run} — Session stopped." in jobs.log.toPlainText()


def test_the_entry_goes_when_the_session_ends_or_fails(qtbot, full_studio, gp, speech):
    window, main, panels = full_studio
    assert main.open_path(gp.root)
    jobs, run = window.job_panel, gp.dinet_run.name
    _choose(panels, gp.dinet_run, speech)
    with qtbot.waitSignal(panels.live.session_finished, timeout=120_000) as done:
        panels.live_view.start_button.click()
        qtbot.waitUntil(lambda: "fps" in _live_line(jobs), timeout=120_000)
    assert done.args[0].status is Status.SUCCEEDED  # the file played to its end
    assert _live_line(jobs) == "" and jobs.title.text() == "No job running"
    assert f"Live: {run} — Session ended (succeeded)." in jobs.log.toPlainText()

    import torch

    if torch.cuda.is_available():
        return
    panels.live.device = "cuda"  # a setting this machine cannot honour: the session fails at start
    with qtbot.waitSignal(panels.live.session_finished, timeout=120_000) as done:
        panels.live_view.start_button.click()
        assert _live_line(jobs) == f"Live: {run} — starting…"
    assert done.args[0].status is Status.FAILED
    assert _live_line(jobs) == "" and jobs.title.text() == "No job running"
    failed = [line for line in jobs.log.toPlainText().splitlines() if line.startswith(f"Live: {run} — ")]
    assert failed[-1].startswith(f"Live: {run} — Session failed: ") and "CUDA" in failed[-1]


def test_a_finished_user_job_keeps_its_word_beside_the_session(qtbot, full_studio, gp, long_speech):
    """The title is the user job's: 'Done' after one ended stays 'Done' while a session starts and ends."""
    window, main, panels = full_studio
    assert main.open_path(gp.root)
    jobs = window.job_panel
    from studio.gui.media_library import ReadMediaJob

    main.start_job(ReadMediaJob([], 96))  # a user job that ends at once
    qtbot.waitUntil(lambda: main.job is None, timeout=60_000)
    assert jobs.title.text() == "Done"
    _choose(panels, gp.dinet_run, long_speech)
    with qtbot.waitSignal(panels.live.session_finished, timeout=120_000):
        panels.live_view.start_button.click()
        qtbot.waitUntil(lambda: panels.live.statuses >= 1, timeout=120_000)
        assert jobs.title.text() == "Done" and "fps" in _live_line(jobs)
        panels.toggle_live()  # Live > Start / Stop Live (Ctrl+L) stops it too
    assert _live_line(jobs) == "" and jobs.title.text() == "Done"


def test_the_entry_in_simplified_chinese(qtbot, full_studio, gp, long_speech):
    window, main, panels = full_studio
    assert main.open_path(gp.root)
    panels.apply_preferences(Preferences(language="zh_CN"))
    jobs, run = window.job_panel, gp.dinet_run.name
    assert jobs.title.text() == "没有正在运行的任务"
    _choose(panels, gp.dinet_run, long_speech)
    with qtbot.waitSignal(panels.live.session_finished, timeout=120_000):
        panels.live_view.start_button.click()
        qtbot.waitUntil(lambda: panels.live.statuses >= 1, timeout=120_000)
        assert re.fullmatch(rf"实时驱动：{re.escape(run)} — \d+\.\d fps", _live_line(jobs)), _live_line(jobs)
        assert jobs.title.text() == "没有其他正在运行的任务"
        assert jobs.live_stop_button.text() == "停止实时驱动"
        qtbot.mouseClick(jobs.live_stop_button, CLICK)
    assert _live_line(jobs) == "" and jobs.title.text() == "没有正在运行的任务"
    panels.apply_preferences(Preferences())  # English again: the title follows the switch back
    assert jobs.title.text() == "No job running"
