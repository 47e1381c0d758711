"""The start page: recent projects (thumbnail, name, last opened), New, Open, and the demo project."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.image import to_pixmap
from ui.translation import tr

THUMB = QSize(128, 72)


@dataclass(frozen=True)
class RecentItem:
    name: str
    path: str
    last_opened: str  # already formatted for reading
    thumbnail: np.ndarray | None  # RGB


class StartView(QWidget):
    recent_chosen = Signal(str)  # project folder

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel("<h1>Digital Human Studio</h1>", self)
        blurb = QLabel(
            "Import a talking-head video, prepare it, train an avatar and make it say new things.", self
        )
        blurb.setObjectName("subtitle")
        self.new_button = QPushButton("New Project…", self)
        self.open_button = QPushButton("Open Project…", self)
        self.demo_button = QPushButton("Open the Demo Project", self)
        self.demo_button.setToolTip(
            "Builds a project from the built-in synthetic talking head (about a minute)"
        )
        for b in (self.new_button, self.open_button, self.demo_button):
            b.setMinimumHeight(36)
        self.new_button.setDefault(True)
        self.demo_progress = QProgressBar(self)
        self.demo_status = QLabel("", self)
        self.demo_progress.setVisible(False)
        self.recent_title = QLabel("<h3>Recent projects</h3>", self)
        self.recent_list = QListWidget(self)
        self.recent_list.setIconSize(THUMB)
        self.recent_list.setSpacing(4)
        self.recent_list.setUniformItemSizes(True)
        self.recent_list.itemActivated.connect(
            lambda item: self.recent_chosen.emit(item.data(Qt.ItemDataRole.UserRole))
        )
        self.recent_empty = QLabel("No recent projects yet: create one or open the demo.", self)
        self.recent_empty.setObjectName("hint")

        buttons = QHBoxLayout()
        for b in (self.new_button, self.open_button, self.demo_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        column = QVBoxLayout()
        column.addWidget(title)
        column.addWidget(blurb)
        column.addSpacing(12)
        column.addLayout(buttons)
        column.addWidget(self.demo_progress)
        column.addWidget(self.demo_status)
        column.addSpacing(16)
        column.addWidget(self.recent_title)
        column.addWidget(self.recent_empty)
        column.addWidget(self.recent_list, 1)
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(column, 4)
        outer.addStretch(1)
        outer.setContentsMargins(24, 24, 24, 24)

    def set_recent(self, items: list[RecentItem]) -> None:
        self.recent_list.clear()
        for r in items:
            opened = tr("last opened {when}").format(when=r.last_opened)
            item = QListWidgetItem(f"{r.name}\n{r.path}\n{opened}")
            item.setData(Qt.ItemDataRole.UserRole, r.path)
            item.setSizeHint(QSize(0, THUMB.height() + 16))
            if r.thumbnail is not None:
                item.setIcon(QIcon(to_pixmap(r.thumbnail)))
            self.recent_list.addItem(item)
        self.recent_empty.setVisible(not items)
        self.recent_list.setVisible(bool(items))

    def set_demo_running(self, running: bool) -> None:
        self.demo_progress.setVisible(running)
        for b in (self.new_button, self.open_button, self.demo_button):
            b.setEnabled(not running)
        if running:
            self.demo_progress.setRange(0, 0)
