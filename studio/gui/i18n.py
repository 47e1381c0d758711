"""The interface language: Qt translation files (resources/i18n/*.ts -> .qm) and a retranslation pass.

The widgets are written with plain English strings (no `tr()` in every module, so the panels of
other modules need no changes); `retranslate(root)` walks a window's menus, actions, docks, group
boxes, labels and buttons and sets each text to `QCoreApplication.translate("dhstudio", english)`,
which the installed QTranslator answers from the .qm catalogue. Each widget remembers its English
source, so switching back to English works, and a text the program changed since the last pass
(a readout) is taken as the new source. The pass also reaches placeholder texts, spin boxes'
special values, combo-box items and plot titles. Texts composed at run time with numbers or paths
go through `tr` with a `{name}` template where they are built (`ui.translation.tr`).
Build the catalogue with `pyside6-lrelease resources/i18n/dhstudio_zh_CN.ts`.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTranslator
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDockWidget,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QTabWidget,
    QTextEdit,
    QWidget,
)

from ui.translation import CONTEXT, tr

__all__ = ["CONTEXT", "qm_path", "retranslate", "set_language", "tr"]
_ITEM_SOURCE = Qt.ItemDataRole.UserRole + 77  # a combo item's English text
I18N_DIR = Path(__file__).resolve().parents[2] / "resources" / "i18n"
_SOURCE, _SHOWN = "dh_source", "dh_shown"

_installed: QTranslator | None = None


def qm_path(language: str) -> Path:
    return I18N_DIR / f"dhstudio_{language}.qm"


def set_language(app: QApplication, language: str) -> bool:
    """Install the catalogue for `language` ("en" removes any); False when it cannot be loaded."""
    global _installed
    if _installed is not None:
        app.removeTranslator(_installed)
        _installed = None
    if language == "en":
        return True
    translator = QTranslator(app)
    if not translator.load(str(qm_path(language))):
        return False
    app.installTranslator(translator)
    _installed = translator
    return True


def _swap(obj: QObject, current: str, setter, key: str = "") -> None:
    if not current:
        return
    source_key, shown_key = _SOURCE + key, _SHOWN + key
    source, shown = obj.property(source_key), obj.property(shown_key)
    if source is None or current != shown:  # first pass, or the program changed the text since
        source = current
    new = tr(source)
    obj.setProperty(source_key, source)
    obj.setProperty(shown_key, new)
    if new != current:
        setter(new)


def _combo_items(combo: QComboBox) -> None:
    """Items keep their source in a role of their own; the code reads their data, not their text."""
    for i in range(combo.count()):
        current, source = combo.itemText(i), combo.itemData(i, _ITEM_SOURCE)
        shown = combo.itemData(i, _ITEM_SOURCE + 1)
        if source is None or current != shown:
            source = current
        new = tr(source)
        combo.setItemData(i, source, _ITEM_SOURCE)
        combo.setItemData(i, new, _ITEM_SOURCE + 1)
        if new != current:
            combo.setItemText(i, new)


def _plot_titles(root: QWidget) -> None:
    try:
        import pyqtgraph as pg
    except ImportError:  # no plots without pyqtgraph
        return
    for w in root.findChildren(pg.PlotWidget):
        item = w.getPlotItem()
        _swap(w, item.titleLabel.text, item.setTitle, "_plot")


def retranslate(root: QWidget) -> None:
    """Translate every static text under `root` (and its own title) into the installed language."""
    _swap(root, root.windowTitle(), root.setWindowTitle)
    for w in root.findChildren(QMenu):
        _swap(w, w.title(), w.setTitle)
        for action in w.actions():
            _swap(action, action.text(), action.setText)
    for w in root.findChildren(QDockWidget):
        _swap(w, w.windowTitle(), w.setWindowTitle)
    for w in root.findChildren(QGroupBox):
        _swap(w, w.title(), w.setTitle)
    for w in root.findChildren(QAbstractButton):
        _swap(w, w.text(), w.setText)
    for w in root.findChildren(QLabel):
        _swap(w, w.text(), w.setText)
    for w in root.findChildren(QTabWidget):  # each tab remembers its source on its page widget
        for i in range(w.count()):
            _swap(w.widget(i), w.tabText(i), lambda text, w=w, i=i: w.setTabText(i, text), "_tab")
    for w in root.findChildren(QLineEdit):
        _swap(w, w.placeholderText(), w.setPlaceholderText, "_hint")
    for w in root.findChildren(QPlainTextEdit) + root.findChildren(QTextEdit):
        _swap(w, w.placeholderText(), w.setPlaceholderText, "_hint")
    for w in root.findChildren(QAbstractSpinBox):
        if hasattr(w, "specialValueText"):
            _swap(w, w.specialValueText(), w.setSpecialValueText, "_special")
    for w in root.findChildren(QComboBox):
        if not w.isEditable():  # an editable combo's items are what the user typed
            _combo_items(w)
    _plot_titles(root)
    for w in root.findChildren(QWidget):  # dialogs and panels parented here
        if w.isWindow() and w is not root:
            _swap(w, w.windowTitle(), w.setWindowTitle)
