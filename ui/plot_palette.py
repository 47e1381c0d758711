"""Plots that follow the application palette, so the dark theme darkens the graphs too.

pyqtgraph paints with its own colours (a white background was set once at start-up); this filter
re-colours a plot's background, axes, title and legend from the widget's palette whenever the
palette changes (QApplication.setPalette sends every widget a PaletteChange event).
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QColor, QPalette


def _colours(palette: QPalette) -> tuple[QColor, QColor, QColor]:
    base = palette.color(QPalette.ColorRole.Base)
    text = palette.color(QPalette.ColorRole.Text)
    mid = QColor(
        (base.red() + text.red()) // 2, (base.green() + text.green()) // 2, (base.blue() + text.blue()) // 2
    )
    return base, text, mid


def recolour(widget: pg.PlotWidget) -> None:
    """Paint `widget` in its palette's colours: Base behind, Text for labels, between for axis lines."""
    base, text, mid = _colours(widget.palette())
    widget.setBackground(base)
    item = widget.getPlotItem()
    for name in ("left", "bottom"):
        axis = item.getAxis(name)
        axis.setTextPen(text)
        axis.setPen(mid)
        axis.setLabel(axis.labelText, units=axis.labelUnits, color=text.name())
    if item.titleLabel.text:
        item.setTitle(item.titleLabel.text, color=text.name())
    if item.legend is not None:
        item.legend.setLabelTextColor(text)
        fill = QColor(base)
        fill.setAlpha(200)
        item.legend.setBrush(pg.mkBrush(fill))


class _PaletteFollower(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.PaletteChange and isinstance(watched, pg.PlotWidget):
            recolour(watched)
        return False


def follow_palette(widget: pg.PlotWidget) -> None:
    """Colour `widget` from its palette now and again on every palette change."""
    follower = _PaletteFollower(widget)
    widget.installEventFilter(follower)
    recolour(widget)
