"""The studio's stylesheet (resources/studio.qss, plus studio_dark.qss in the dark theme)."""

from __future__ import annotations

from importlib import resources

from PySide6.QtWidgets import QApplication


def stylesheet(theme: str = "light") -> str:
    """The sheet for `theme`: the base rules, then the dark overrides when dark."""
    files = resources.files("resources")
    sheet = files.joinpath("studio.qss").read_text(encoding="utf-8")
    if theme == "dark":
        sheet += "\n" + files.joinpath("studio_dark.qss").read_text(encoding="utf-8")
    return sheet


def apply_style(app: QApplication, theme: str = "light") -> None:
    app.setStyleSheet(stylesheet(theme))
