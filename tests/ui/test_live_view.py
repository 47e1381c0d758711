"""The live panel's avatar view: its placeholder text fits the view's minimum size."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics

from ui.live_view import AvatarView


def test_placeholder_fits_the_minimum_width(qtbot):
    view = AvatarView()
    qtbot.addWidget(view)
    view.resize(view.minimumSize())
    assert view.minimumSizeHint().width() <= 240  # was 298: one unwrapped line widened the live dock
    needed = QFontMetrics(view.font()).boundingRect(
        0, 0, view.width(), 10_000, Qt.TextFlag.TextWordWrap, view.text()
    )
    assert needed.width() <= view.width() and needed.height() <= view.height()
