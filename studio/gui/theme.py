"""Light and dark themes: the Fusion style with a palette and a matching stylesheet, so every widget
(and each pyqtgraph plot, through ui.plot_palette) follows."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from studio.gui.style import apply_style

_DARK = {
    QPalette.ColorRole.Window: "#2b2b2b",
    QPalette.ColorRole.WindowText: "#e6e6e6",
    QPalette.ColorRole.Base: "#1f1f1f",
    QPalette.ColorRole.AlternateBase: "#2f2f2f",
    QPalette.ColorRole.ToolTipBase: "#3a3a3a",
    QPalette.ColorRole.ToolTipText: "#e6e6e6",
    QPalette.ColorRole.Text: "#e6e6e6",
    QPalette.ColorRole.Button: "#353535",
    QPalette.ColorRole.ButtonText: "#e6e6e6",
    QPalette.ColorRole.BrightText: "#ff5252",
    QPalette.ColorRole.Link: "#64b5f6",
    QPalette.ColorRole.Highlight: "#1e88e5",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.PlaceholderText: "#8a8a8a",
}


def apply_theme(app: QApplication, theme: str) -> None:
    """`light` or `dark`; anything else is the light theme."""
    app.setStyle("Fusion")
    # the palette before the stylesheet: widgets polished by a stylesheet keep the palette they had
    # when it was set, so the other order would leave parts of the window in the old colours
    app.setStyleSheet("")
    app.setPalette(_dark_palette() if theme == "dark" else app.style().standardPalette())
    apply_style(app, theme)  # the stylesheet's own colours (cards, hints, errors) follow too


def _dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in _DARK.items():
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7a7a7a"))
    return palette
