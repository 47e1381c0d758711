"""Message boxes in the interface language: in zh_CN a bad import's warning had the English title
'Please check the input' over the window's Chinese (the titles never went through the catalogue)."""

from __future__ import annotations

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from studio.gui import dialogs
from studio.gui.main_controller import MainController
from studio.gui.recent_projects import RecentProjects
from studio.gui.settings import StudioSettings
from studio.gui.studio_panels import StudioPanels
from studio.project import create_project
from ui.main_window import MainWindow


def test_a_bad_import_in_chinese_shows_a_chinese_title(qtbot, tmp_path, monkeypatch):
    w = MainWindow()
    qtbot.addWidget(w)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    main = MainController(w, RecentProjects(settings))
    panels = StudioPanels(w, main, StudioSettings(settings))
    w.show()
    try:
        main.set_project(create_project(tmp_path / "P"))
        panels.apply_preferences(panels.prefs.__class__(language="zh_CN"))
        notes = tmp_path / "notes.txt"
        notes.write_text("not a video")
        monkeypatch.setattr(dialogs, "open_files", lambda *a: [notes])  # the file the user picks
        seen: list[tuple[str, str]] = []

        def read_and_close() -> None:
            box = QApplication.activeModalWidget()
            if not isinstance(box, QMessageBox):
                QTimer.singleShot(50, read_and_close)
                return
            seen.append((box.windowTitle(), box.text()))
            box.accept()

        QTimer.singleShot(50, read_and_close)
        w.action_import.trigger()  # File > Import Video…
        qtbot.waitUntil(lambda: bool(seen), timeout=10_000)
        title, text = seen[0]
        assert title == "请检查输入", title
        assert "notes.txt" in text
    finally:
        panels.apply_preferences(panels.prefs.__class__())
        panels.shutdown()
        main.shutdown()
