"""The base of a studio panel's controller: a child of its view (deleted with it) that reaches the
project, the job runner and the status bar through the main controller."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from studio.gui.main_controller import MainController


class PanelController(QObject):
    def __init__(self, view: QWidget, main: MainController) -> None:
        super().__init__(view)
        self.view = view
        self.main = main
