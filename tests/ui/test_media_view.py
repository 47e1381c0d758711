"""The media panel's clip cards: as many columns as fit, never a sideways scroll bar."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QApplication, QScrollArea

from ui.media_view import CardData, MediaView


def _cards(n: int) -> list[CardData]:
    thumb = np.full((64, 64, 3), 128, np.uint8)
    return [
        CardData(f"clip{i}", "700×700 · 22.13 fps · 6.1 s · with audio", "imported", thumb) for i in range(n)
    ]


def test_cards_wrap_to_the_panel_width(qtbot):
    """Beside the Live dock on a 1366 px screen the panel is about 740 px wide: the second card went
    off the right edge behind a sideways scroll bar (always two columns)."""
    view = MediaView()
    qtbot.addWidget(view)
    view.resize(740, 500)
    view.show()
    cards = view.set_cards(_cards(3))
    QApplication.processEvents()
    scroll = view.findChild(QScrollArea)
    first, second = cards["clip0"], cards["clip1"]
    assert not scroll.horizontalScrollBar().isVisible()
    assert second.geometry().top() > first.geometry().bottom()  # one column
    view.resize(1400, 500)
    QApplication.processEvents()
    assert not scroll.horizontalScrollBar().isVisible()
    assert second.geometry().top() == first.geometry().top()  # two side by side when they fit
