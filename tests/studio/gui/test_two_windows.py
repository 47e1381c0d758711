"""Two studio windows on one project: coming back to a window shows what the other one changed.
Was: the second window kept its old cards until the project was reopened, and renaming or removing a
clip the other window had already removed failed with 'No such file or directory'."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from studio.gui.main_controller import MainController
from studio.gui.recent_projects import RecentProjects
from studio.project import create_project, open_project
from tests.studio.gui.conftest import wait_idle
from ui.main_window import MainWindow


def _second_window(qtbot, tmp_path, root):
    w = MainWindow()
    qtbot.addWidget(w)
    settings = QSettings(str(tmp_path / "second.ini"), QSettings.Format.IniFormat)
    c = MainController(w, RecentProjects(settings))
    w.show()
    assert c.open_path(root)
    return w, c


def _activate(qtbot, w) -> None:
    """The user clicks into the window."""
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=5000)


def test_a_window_shows_clips_the_other_window_imported_and_removed(
    qtbot, studio, answers, tmp_path, talking_clip
):
    a, ca = studio
    root = create_project(tmp_path / "P").root
    assert ca.open_path(root)
    b, _ = _second_window(qtbot, tmp_path, root)
    try:
        _activate(qtbot, b)
        _activate(qtbot, a)  # the user works in the first window
        qtbot.wait(200)
        answers.files = [talking_clip]
        a.action_import.trigger()
        wait_idle(qtbot, ca)
        assert list(a.media_view.cards) == ["talk"] and list(b.media_view.cards) == []
        _activate(qtbot, b)
        qtbot.waitUntil(lambda: list(b.media_view.cards) == ["talk"], timeout=10_000)

        answers.ask = True
        b.media_view.cards["talk"].remove_button.click()  # removed in the second window
        assert list(b.media_view.cards) == [] and not answers.warnings
        _activate(qtbot, a)
        qtbot.waitUntil(lambda: list(a.media_view.cards) == [], timeout=10_000)
        assert open_project(root).clips == []
    finally:
        b.close()  # its close guard shuts its controller down
