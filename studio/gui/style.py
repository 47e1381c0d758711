"""The studio's stylesheet (resources/studio.qss), applied once to the application."""

from __future__ import annotations

from importlib import resources

from PySide6.QtWidgets import QApplication


def apply_style(app: QApplication) -> None:
    app.setStyleSheet(resources.files("resources").joinpath("studio.qss").read_text(encoding="utf-8"))
