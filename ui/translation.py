"""The interface language's lookup, for texts widgets compose at run time ("Smoothing 0.80").

Static texts are translated by `studio.gui.i18n.retranslate`; a text a widget builds later from a
number goes through `tr` with a `{placeholder}` template, so the catalogue holds one entry for it.
A text a widget swaps for another fixed one at run time goes through `set_text`, which remembers
its English, so the language pass translates it again after a switch.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QAbstractButton, QLabel

CONTEXT = "dhstudio"
SOURCE_PROPERTY, SHOWN_PROPERTY = "dh_source", "dh_shown"  # a widget's English text, and as shown


def tr(text: str) -> str:
    """`text` in the installed language (itself when the catalogue has no entry)."""
    return QCoreApplication.translate(CONTEXT, text)


def set_text(widget: QLabel | QAbstractButton, english: str) -> None:
    """Show `english` in the interface language, remembering it so a later switch translates it again."""
    shown = tr(english)
    widget.setProperty(SOURCE_PROPERTY, english)
    widget.setProperty(SHOWN_PROPERTY, shown)
    widget.setText(shown)


def tr_message(message: object) -> str:
    """An engine message (`core.jobs.message.Text`) in the interface language; any other text as it is.

    The template is looked up in the catalogue and formatted with the same parameters, each phrase
    parameter (a `Text`, e.g. the message of a BadInput quoted in another) translated the same way.
    An entry whose placeholders do not fit the parameters falls back to the English text rather than
    failing."""
    template = getattr(message, "template", None)
    params = getattr(message, "params", None)
    if not isinstance(message, str) or template is None or params is None:
        return message if isinstance(message, str) else str(message)
    shown = {name: _param(value) for name, value in params.items()}
    try:
        return tr(template).format(**shown)
    except (KeyError, IndexError, ValueError):  # a broken catalogue entry: English beats a crash
        return template.format(**shown)


def _param(value: object) -> object:
    """A phrase (a Text; an exception parameter was kept as its text, a Text when raised with one)."""
    return tr_message(value) if isinstance(value, str) and hasattr(value, "template") else value
