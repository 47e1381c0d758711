"""The training panel in the main window: opened from View, built on first show, follows the project."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from studio.gui.main_controller import MainController
from studio.gui.recent_projects import RecentProjects
from studio.gui.training_controller import TrainingController
from studio.project import create_project
from ui.main_window import MainWindow


def test_view_menu_opens_the_training_panel_for_the_open_project(qtbot, tmp_path) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    controller = MainController(window, RecentProjects(settings))
    window.show()
    assert controller.training is None and not window.training_dock.isVisible()  # nothing loaded yet
    project = create_project(tmp_path / "proj", "proj")
    assert controller.open_path(project.root)
    action = window.training_dock.toggleViewAction()
    assert action in window.view_menu.actions()
    action.trigger()
    qtbot.waitUntil(lambda: controller.training is not None, timeout=10_000)
    training = controller.training
    assert isinstance(training, TrainingController) and window.training_dock.isVisible()
    assert training.project.root == project.root and window.training_view.preset.count() > 0
    other = create_project(tmp_path / "other", "other")
    assert controller.open_path(other.root)
    assert training.project.root == other.root  # follows the open project
    action.trigger()
    action.trigger()
    assert controller.training is training  # built once
    controller.shutdown()
