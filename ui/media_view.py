"""The media panel: one card per clip (thumbnail, facts, state) and an import button.

Video files can be dropped anywhere on the main window; this panel only shows the hint.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ui.image import to_pixmap

STATE_COLOURS = {
    "imported": "#8d6e00",
    "prepared": "#1565c0",
    "trained": "#2e7d32",
    "prepare failed": "#c62828",
}


@dataclass(frozen=True)
class CardData:
    name: str
    details: str  # resolution · fps · duration · audio
    state: str  # imported | prepared | trained
    thumbnail: np.ndarray | None  # RGB
    failure: str = ""  # the last prepare's error ("" when it did not fail)
    reason: str = ""  # that error in short, for the card


class ClipCard(QFrame):
    """A clip's card; the controller connects its buttons."""

    def __init__(self, data: CardData, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("clipCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.name = data.name
        self.thumb = QLabel(self)
        self.thumb.setFixedSize(192, 108)
        self.thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.thumb.setObjectName("thumbnail")
        if data.thumbnail is not None:
            self.thumb.setPixmap(
                to_pixmap(data.thumbnail).scaled(
                    self.thumb.size(),
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
        else:
            self.thumb.setText("no preview")
        self.title = QLabel(f"<b>{data.name}</b>", self)
        self.details = QLabel(data.details, self)
        self.details.setWordWrap(True)
        badge = "prepare failed" if data.failure else data.state
        self.state = QLabel(badge, self)
        self.state.setObjectName("stateBadge")
        self.state.setToolTip(data.failure)
        self.reason = QLabel(data.reason, self)
        self.reason.setObjectName("failureReason")
        self.reason.setWordWrap(True)
        self.reason.setToolTip(data.failure)
        self.reason.setProperty("tone", "error")  # coloured by the theme
        self.reason.setVisible(bool(data.failure))
        colour = STATE_COLOURS.get(badge, "#555")
        self.state.setStyleSheet(
            f"color: white; background: {colour}; border-radius: 8px; padding: 2px 10px; font-weight: bold;"
        )
        self.prepare_button = QPushButton("Prepare…", self)
        self.view_button = QPushButton("View", self)
        self.view_button.setEnabled(data.state != "imported")
        self.rename_button = QPushButton("Rename…", self)
        self.remove_button = QPushButton("Remove…", self)
        self.prepare_button.setToolTip("Track the face and write the prepared clip (dhstudio prepare)")
        self.view_button.setToolTip("Open the prepared clip in the clip viewer")

        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.state, 0, Qt.AlignmentFlag.AlignRight)
        buttons = QHBoxLayout()
        for b in (self.prepare_button, self.view_button, self.rename_button, self.remove_button):
            buttons.addWidget(b)
        text = QVBoxLayout()
        text.addLayout(head)
        text.addWidget(self.details)
        text.addWidget(self.reason)
        text.addStretch(1)
        text.addLayout(buttons)
        row = QHBoxLayout(self)
        row.addWidget(self.thumb)
        row.addLayout(text, 1)


class MediaView(QWidget):
    COLUMNS = 2

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.import_button = QPushButton("Import Video…", self)
        self.import_button.setToolTip("Copy video files into the project (or drop them on the window)")
        self.hint = QLabel("Drop talking-head videos anywhere on this window, or use Import Video.", self)
        self.hint.setObjectName("hint")
        self.empty = QLabel(
            "<h3>No clips yet</h3><p>Import a video of one person talking to the camera.</p>", self
        )
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.cards: dict[str, ClipCard] = {}
        self._grid_host = QWidget(self)
        self.grid = QGridLayout(self._grid_host)
        self.grid.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.grid.setSpacing(12)
        self.columns = 1  # as many as fit the panel's width, at most COLUMNS (see _fit_columns)
        scroll = self._scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self._grid_host)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        top = QHBoxLayout()
        top.addWidget(self.import_button)
        top.addWidget(self.hint, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.empty)
        layout.addWidget(scroll, 1)
        self.empty.setVisible(True)

    def set_cards(self, cards: list[CardData]) -> dict[str, ClipCard]:
        for card in self.cards.values():
            self.grid.removeWidget(card)
            card.deleteLater()
        self.cards = {}
        for data in cards:
            self.cards[data.name] = ClipCard(data, self._grid_host)
        self.columns = 0  # place them afresh
        self._fit_columns()
        self.empty.setVisible(not cards)
        return self.cards

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._fit_columns()

    def _fit_columns(self) -> None:
        """Lay the cards in as many columns as the panel's width holds (a fixed two went off the right
        edge beside the Live dock on a laptop screen)."""
        cards = list(self.cards.values())
        card_w = max((c.minimumSizeHint().width() for c in cards), default=1)
        m = self.grid.contentsMargins()
        room = self.width() - m.left() - m.right() - self._scroll.verticalScrollBar().sizeHint().width()
        columns = max(1, min(self.COLUMNS, (room + self.grid.spacing()) // (card_w + self.grid.spacing())))
        if columns == self.columns:
            return
        self.columns = columns
        for card in cards:
            self.grid.removeWidget(card)
        for column in range(self.COLUMNS):
            self.grid.setColumnStretch(column, 1 if column < columns else 0)
        for row in range(self.grid.rowCount()):
            self.grid.setRowStretch(row, 0)
        for i, card in enumerate(cards):
            self.grid.addWidget(card, i // columns, i % columns)
        self.grid.setRowStretch(-(-len(cards) // columns), 1)
