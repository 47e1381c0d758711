import threading

from core.jobs.job import Status
from studio.demo.job import STAGES
from studio.gui.job_worker import JobThread
from studio.project import create_project
from tests.core.jobs.test_jobs import CountingJob, Exploding


def test_start_page_menus_and_status_bar(studio):
    w, _ = studio
    assert [a.text() for a in w.menuBar().actions()] == ["&File", "&Export", "&Help"]
    file_actions = [a.text() for a in w.file_menu.actions() if a.text()]
    assert file_actions[:2] == ["&New Project…", "&Open Project…"] and "&Close Project" in file_actions
    assert w.stack.currentWidget() is w.start_view and w.jobs_dock.isVisible()
    assert w.status_label.text() == "No project open" and not w.action_close_project.isEnabled()


def test_open_project_then_close_it_returns_to_the_start_page_with_it_in_recent(
    qtbot, studio, tmp_path, talking_clip
):
    w, c = studio
    p = create_project(tmp_path / "Avatar")
    (p.media_dir / "talk.mp4").write_bytes(talking_clip.read_bytes())
    assert c.open_path(p.root)
    assert w.windowTitle().startswith("Avatar") and str(p.root) in w.status_label.text()
    assert w.stack.currentWidget() is w.tabs and list(w.media_view.cards) == ["talk"]
    # the video's facts are read in the background, then its card fills in
    qtbot.waitUntil(lambda: "256×256" in w.media_view.cards["talk"].details.text(), timeout=10000)
    assert w.media_view.cards["talk"].thumb.pixmap() is not None
    assert [a.text() for a in w.recent_menu.actions()] == [str(p.root)]
    w.action_close_project.trigger()
    assert c.project is None and w.windowTitle() == "Digital Human Studio"
    assert w.stack.currentWidget() is w.start_view
    item = w.start_view.recent_list.item(0)
    assert item.text().startswith("Avatar\n") and "last opened" in item.text() and not item.icon().isNull()
    w.start_view.recent_chosen.emit(str(p.root))
    assert c.project is not None and c.project.root == p.root


def test_bad_project_shows_a_dialog_not_a_crash(studio, answers, tmp_path):
    _, c = studio
    assert not c.open_path(tmp_path / "not_a_project")
    assert answers.warnings and "dhstudio new" in answers.warnings[0][1]


def test_demo_button_builds_the_demo_in_the_background_and_opens_it(qtbot, studio):
    w, c = studio
    c.start.demo_stages = STAGES[:1]  # the clip only: the whole demo trains for a minute
    w.start_view.demo_button.click()
    assert c.job is not None and w.start_view.demo_progress.isVisible()
    assert not w.start_view.demo_button.isEnabled()
    qtbot.waitUntil(lambda: c.project is not None, timeout=60000)
    assert c.project.root == c.start.demo_dir.resolve() and list(w.media_view.cards) == ["demo"]
    assert w.start_view.demo_button.isEnabled()


def test_closing_while_a_job_runs_asks_then_cancels_and_waits(qtbot, studio, answers):
    w, c = studio
    started, gate = threading.Event(), threading.Event()
    thread = c.start_job(CountingJob(50, started, gate))
    assert started.wait(5)
    answers.ask = False
    w.close()
    assert w.isVisible() and c.job is thread and not thread.control.cancelled  # "no": keep working
    answers.ask = True
    w.close()
    assert w.isVisible() and thread.control.cancelled  # not closed yet: waits for the worker
    gate.set()
    qtbot.waitUntil(lambda: not w.isVisible(), timeout=5000)
    assert c.job is None and w.job_panel.title.text() == "Cancelled"


def test_qt_runner_turns_events_into_signals(qtbot):
    thread = JobThread(CountingJob(3))
    progress = []
    thread.worker.progress.connect(lambda s, t, m: progress.append((s, t, m)))
    with qtbot.waitSignal(thread.finished, timeout=5000) as blocker:
        thread.start()
    assert blocker.args[0].status is Status.SUCCEEDED
    assert progress == [(1, 3, "counting"), (2, 3, "counting"), (3, 3, "counting")]
    assert thread.thread.wait(2000)


def test_a_failing_job_shows_its_message_and_the_window_stays_usable(qtbot, studio, answers):
    w, c = studio
    thread = c.start_job(Exploding(RuntimeError("nope")))
    with qtbot.waitSignal(thread.finished, timeout=5000):
        pass
    qtbot.waitUntil(lambda: c.job is None, timeout=2000)
    assert answers.warnings == [("The job failed", "RuntimeError: nope")]
    assert w.job_panel.title.text() == "Failed" and c.start_job(CountingJob(1)) is not None


def test_cancel_from_the_gui_stops_the_job(qtbot, studio):
    w, c = studio
    started, gate = threading.Event(), threading.Event()
    thread = c.start_job(CountingJob(50, started, gate))
    assert started.wait(5)
    assert w.job_panel.cancel_button.isEnabled()
    with qtbot.waitSignal(thread.finished, timeout=5000) as blocker:
        w.job_panel.cancel_button.click()
        gate.set()
    assert blocker.args[0].status is Status.CANCELLED
    qtbot.waitUntil(lambda: w.job_panel.title.text() == "Cancelled", timeout=2000)
    assert c.job is None


def test_doctor_dialog_fills_from_a_background_job(qtbot, studio):
    _, c = studio
    dialog = c.show_doctor()
    qtbot.waitUntil(lambda: dialog.table.rowCount() >= 8, timeout=20000)
    names = [dialog.table.item(i, 0).text() for i in range(dialog.table.rowCount())]
    assert "PyTorch" in names and "MediaPipe face mesh" in names


def test_opening_a_project_with_a_bad_defaults_table_shows_a_dialog(studio, answers, tmp_path):
    """Was: a typo in project.toml's [defaults] was silently ignored. File > Open shows a dialog naming
    the file, the field and the nearest allowed key, and the project is not opened."""
    w, c = studio
    p = create_project(tmp_path / "Avatar")
    text = p.layout.project_file.read_text()
    p.layout.project_file.write_text(text.replace("[defaults]", '[defaults]\ndevcie = "cpu"'))
    answers.folder = p.root
    w.action_open.trigger()
    assert c.project is None and w.stack.currentWidget() is w.start_view
    assert len(answers.warnings) == 1
    title, message = answers.warnings[0]
    assert title == "Cannot open project" and str(p.layout.project_file) in message
    assert "defaults.devcie" in message and "did you mean 'device'?" in message


def test_docks_are_not_animated(studio):
    """Dock animations are QObjects deleted later on the GUI thread; one such deletion deadlocked
    against a job thread emitting a signal (see ui/main_window.py)."""
    w, _ = studio
    assert not w.isAnimated()
