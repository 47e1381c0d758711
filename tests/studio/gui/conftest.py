"""The real main window with its controllers, a synthetic talking-head clip, and scripted dialog answers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, QSettings, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from core.synth.talking_head import DemoClipSpec, generate, write
from studio.gui import dialogs
from studio.gui.main_controller import MainController
from studio.gui.recent_projects import RecentProjects
from studio.gui.settings import StudioSettings
from studio.gui.studio_panels import StudioPanels
from ui.main_window import MainWindow


@dataclass
class Answers:
    """What the scripted user answers, and every warning the studio showed."""

    ask: bool = True
    text: str | None = None
    files: list[Path] = field(default_factory=list)
    folder: Path | None = None
    warnings: list[tuple[str, str]] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)


@pytest.fixture
def answers(monkeypatch) -> Answers:
    a = Answers()

    def ask(parent, title, question):
        a.questions.append(question)
        return a.ask

    monkeypatch.setattr(dialogs, "ask", ask)
    monkeypatch.setattr(dialogs, "warn", lambda parent, title, message: a.warnings.append((title, message)))
    monkeypatch.setattr(dialogs, "text", lambda *args: a.text)
    monkeypatch.setattr(dialogs, "open_files", lambda *args: a.files)
    monkeypatch.setattr(dialogs, "save_folder", lambda *args: a.folder)
    monkeypatch.setattr(dialogs, "existing_folder", lambda *args: a.folder)
    return a


@pytest.fixture
def studio(qtbot, tmp_path, answers):
    """(window, controller) with recent projects kept in a temporary settings file."""
    window = MainWindow()
    qtbot.addWidget(window)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    controller = MainController(window, RecentProjects(settings))
    controller.start.demo_dir = tmp_path / "Demo"
    window.show()
    yield window, controller
    controller.shutdown()


class FullStudio(NamedTuple):
    """The whole studio window as `dhstudio gui` builds it: the main controller and the panels
    (Live dock, Export menu, settings)."""

    window: MainWindow
    main: MainController
    panels: StudioPanels


def open_full_studio(qtbot, settings_file: Path) -> FullStudio:
    """A shown studio window with its settings (and recent projects) in `settings_file`."""
    window = MainWindow()
    qtbot.addWidget(window)
    settings = QSettings(str(settings_file), QSettings.Format.IniFormat)
    main = MainController(window, RecentProjects(settings))
    panels = StudioPanels(window, main, StudioSettings(settings))
    window.show()
    return FullStudio(window, main, panels)


def close_full_studio(studio: FullStudio) -> None:
    """Light theme and English again for the next test; every panel's and the window's jobs stopped."""
    studio.panels.apply_preferences(studio.panels.prefs.__class__())
    studio.panels.shutdown()
    studio.main.shutdown()


@pytest.fixture
def full_studio(qtbot, tmp_path) -> Iterator[FullStudio]:
    """(window, main, panels), settings in tmp_path/settings.ini; reset and shut down afterwards."""
    studio = open_full_studio(qtbot, tmp_path / "settings.ini")
    try:
        yield studio
    finally:
        close_full_studio(studio)


@pytest.fixture(scope="session")
def talking_clip(tmp_path_factory) -> Path:
    """A 2.4 s, 256 px synthetic talking head with speech (the demo clip's generator, shorter)."""
    folder = tmp_path_factory.mktemp("clip")
    video = folder / "talk.mp4"
    write(generate(DemoClipSpec(size=256, fps=25, duration=2.4, seed=3)), video, folder / "talk_truth.json")
    return video


def drop_files(window: MainWindow, paths: list[Path]) -> None:
    """Drag files onto the window and drop them, as a file manager does."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    action = Qt.DropAction.CopyAction
    enter = QDragEnterEvent(  # a QPoint: PySide6 before 6.12 takes no QPointF here
        QPoint(20, 20), action, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        QPointF(20, 20), action, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(window, drop)


def wait_idle(qtbot, controller: MainController, timeout: int = 60000) -> None:
    qtbot.waitUntil(lambda: controller.job is None, timeout=timeout)


def accept_next_message_box() -> list[tuple[str, str]]:
    """Accepts the next modal message box once it shows, as a user would: the list receives its
    title and text."""
    seen: list[tuple[str, str]] = []

    def read_and_close() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(50, read_and_close)
            return
        seen.append((box.windowTitle(), box.text()))
        box.accept()

    QTimer.singleShot(50, read_and_close)
    return seen
