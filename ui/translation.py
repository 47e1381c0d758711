"""The interface language's lookup, for texts widgets compose at run time ("Smoothing 0.80").

Static texts are translated by `studio.gui.i18n.retranslate`; a text a widget builds later from a
number goes through `tr` with a `{placeholder}` template, so the catalogue holds one entry for it.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

CONTEXT = "dhstudio"


def tr(text: str) -> str:
    """`text` in the installed language (itself when the catalogue has no entry)."""
    return QCoreApplication.translate(CONTEXT, text)
