"""Closing the window while a training run or a live session goes: the studio asks, and on yes
stops them at their next step (a run saves its checkpoint and is marked cancelled) before it closes.
Was: the close guard knew only the Jobs panel's job, so the window closed at once without asking
while the Training tab's run was going."""

from __future__ import annotations

from core.train.run_folder import RunFolder
from studio.project import open_project
from tests.core.lipsync.prepared_fixture import build_prepared_clip
from tests.studio.gui.test_training_runs import _tiny_dinet


def test_closing_during_training_asks_then_stops_the_run_cleanly(qtbot, studio, answers, tmp_path):
    w, c = studio
    build_prepared_clip(tmp_path / "proj", duration=2.0)
    c.set_project(open_project(tmp_path / "proj"))
    w.tabs.setCurrentWidget(w.training_view)
    view, training = w.training_view, c.training
    view.device.setCurrentText("cpu")
    _tiny_dinet(view, training, attention=False)
    view.max_steps.setValue(10_000)
    view.start_button.click()
    qtbot.waitUntil(lambda: bool(training.rate.samples), timeout=60_000)  # a step is done
    run = RunFolder(next((tmp_path / "proj" / "runs").iterdir()))

    answers.ask = False
    w.close()
    assert len(answers.questions) == 1 and "train dinet" in answers.questions[0]
    assert w.isVisible() and training.active is not None  # "no": the run goes on

    answers.ask = True
    w.close()
    assert w.isVisible()  # not yet: the run stops at its next step first
    qtbot.waitUntil(lambda: not w.isVisible(), timeout=120_000)
    assert training.active is None
    assert run.read_status()["state"] == "cancelled"
    assert (run.path / "checkpoints" / "last.pt").is_file()  # continue from it later


def test_closing_during_a_live_session_asks_then_ends_it(qtbot, full_studio, answers, tmp_path, gp):
    """The Live dock's session is a job of the window too: closing asks, then stops it first."""
    from tests.core.media.audio_files import write_speech

    w, main, panels = full_studio
    assert main.open_path(gp.root)
    live, view = panels.live, panels.live_view
    live.select_avatar(gp.dinet_run)
    view.file_edit.setText(str(write_speech(tmp_path / "speech.wav", 30.0, seed=3)))
    view.start_button.click()
    qtbot.waitUntil(lambda: live.statuses >= 3, timeout=120_000)  # frames are playing

    answers.ask = False
    w.close()
    assert len(answers.questions) == 1 and w.isVisible() and live.thread is not None
    answers.ask = True
    w.close()
    qtbot.waitUntil(lambda: not w.isVisible(), timeout=60_000)
    assert live.thread is None


def test_closing_the_project_clears_the_live_docks_last_frame(qtbot, full_studio, tmp_path, gp):
    """Was: after File > Close Project the start page showed the closed project's avatar in the Live dock."""

    from tests.core.media.audio_files import write_speech
    from ui.live_view import PLACEHOLDER

    w, main, panels = full_studio
    assert main.open_path(gp.root)
    live, view = panels.live, panels.live_view
    live.select_avatar(gp.dinet_run)
    view.file_edit.setText(str(write_speech(tmp_path / "speech.wav", 1.0, seed=3)))
    with qtbot.waitSignal(live.session_finished, timeout=120_000):
        view.start_button.click()
    assert view.view.pixmap() is not None and not view.view.pixmap().isNull()  # the last frame
    w.action_close_project.trigger()
    assert w.start_view.isVisible()
    assert view.view.pixmap().isNull() and view.view.text() == PLACEHOLDER
