import pytest
from PySide6.QtCore import QSettings

from core.jobs.job import Status
from studio.gui.job_worker import JobThread
from studio.gui.main_controller import MainController
from studio.gui.recent_projects import RecentProjects
from studio.project import create_project
from tests.core.jobs.test_jobs import CountingJob, Exploding
from ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, tmp_path):
    w = MainWindow()
    qtbot.addWidget(w)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    controller = MainController(w, RecentProjects(settings))
    w.show()
    yield w, controller
    controller.shutdown()


def test_menus_docks_and_status_bar(window):
    w, _ = window
    menus = [a.text() for a in w.menuBar().actions()]
    assert menus == ["&File", "&Export", "&View", "&Help"]
    assert w.project_dock.isVisible() and w.jobs_dock.isVisible()
    assert w.status_label.text() == "No project open"


def test_open_project_updates_tree_title_and_recent(window, tmp_path):
    w, c = window
    p = create_project(tmp_path / "Avatar")
    assert c.open_path(p.root)
    assert "Avatar" in w.windowTitle() and str(p.root) in w.status_label.text()
    assert [w.project_tree.topLevelItem(i).text(0) for i in range(3)] == ["Media", "Prepared clips", "Runs"]
    assert [a.text() for a in w.recent_menu.actions()] == [str(p.root)]
    assert w.action_open_exports.isEnabled()


def test_bad_project_shows_a_dialog_not_a_crash(window, tmp_path, monkeypatch):
    _, c = window
    shown = []
    monkeypatch.setattr("studio.gui.main_controller.QMessageBox.warning", lambda *a: shown.append(a[2]))
    assert not c.open_path(tmp_path / "not_a_project")
    assert shown and "dhstudio new" in shown[0]


def test_qt_runner_turns_events_into_signals(qtbot):
    thread = JobThread(CountingJob(3))
    progress = []
    thread.worker.progress.connect(lambda s, t, m: progress.append((s, t, m)))
    with qtbot.waitSignal(thread.finished, timeout=5000) as blocker:
        thread.start()
    assert blocker.args[0].status is Status.SUCCEEDED
    assert progress == [(1, 3, "counting"), (2, 3, "counting"), (3, 3, "counting")]
    assert thread.thread.wait(2000)


def test_qt_runner_reports_failure_signal(qtbot):
    thread = JobThread(Exploding(RuntimeError("nope")))
    failures = []
    thread.worker.failed.connect(lambda msg, bad: failures.append((msg, bad)))
    with qtbot.waitSignals([thread.worker.failed, thread.finished], timeout=5000):
        thread.start()
    assert failures == [("RuntimeError: nope", False)]
    assert thread.result.status is Status.FAILED
    thread.thread.wait(2000)


def test_cancel_from_the_gui_stops_the_job(qtbot, window):
    import threading

    w, c = window
    started, gate = threading.Event(), threading.Event()
    job = CountingJob(50, started, gate)
    thread = c.start_job(job)
    assert started.wait(5)
    assert w.job_panel.cancel_button.isEnabled()
    with qtbot.waitSignal(thread.finished, timeout=5000) as blocker:
        w.job_panel.cancel_button.click()
        gate.set()
    assert blocker.args[0].status is Status.CANCELLED
    qtbot.waitUntil(lambda: w.job_panel.title.text() == "Cancelled", timeout=2000)
    assert c.job is None


def test_doctor_dialog_fills_from_a_background_job(qtbot, window):
    _, c = window
    dialog = c.show_doctor()
    qtbot.waitUntil(lambda: dialog.table.rowCount() >= 8, timeout=20000)
    names = [dialog.table.item(i, 0).text() for i in range(dialog.table.rowCount())]
    assert "PyTorch" in names and "MediaPipe face mesh" in names
