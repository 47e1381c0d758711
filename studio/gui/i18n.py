"""The interface language: Qt translation files (resources/i18n/*.ts -> .qm) and a retranslation pass.

The widgets are written with plain English strings (no `tr()` in every module, so the panels of
other modules need no changes); `retranslate(root)` walks a window's menus, actions, docks, group
boxes, labels and buttons and sets each text to `QCoreApplication.translate("dhstudio", english)`,
which the installed QTranslator answers from the .qm catalogue. Each widget remembers its English
source, so switching back to English works, and a text the program changed since the last pass
(a readout) is taken as the new source. The pass also reaches placeholder texts, spin boxes'
special values, combo-box items, table headers and plot titles. Texts composed at run time with
numbers or paths go through `tr` with a `{name}` template where they are built (`ui.translation.tr`)
and their controllers compose them again after a switch (`retranslate` methods). The engine's
messages (`core.jobs.message.Text`, e.g. every `BadInput`) are translated where they are shown
(`tr_message`: the dialogs, the Jobs log, the panels' message rows).
Build the catalogue with `pyside6-lrelease resources/i18n/dhstudio_zh_CN.ts`.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QObject, Qt, QTranslator
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
    QTableWidget,
    QTabWidget,
    QTextEdit,
    QWidget,
)

from ui.translation import CONTEXT, SHOWN_PROPERTY, SOURCE_PROPERTY, set_text, tr, tr_message

__all__ = ["CONTEXT", "add_item", "qm_path", "retranslate", "set_language", "set_text", "tr", "tr_message"]
_ITEM_SOURCE = Qt.ItemDataRole.UserRole + 77  # a combo item's English text
I18N_DIR = Path(__file__).resolve().parents[2] / "resources" / "i18n"
_SOURCE, _SHOWN = SOURCE_PROPERTY, SHOWN_PROPERTY

_installed: QTranslator | None = None
_installed_qt: QTranslator | None = None  # Qt's own catalogue (qtbase) for the same language


def qm_path(language: str) -> Path:
    return I18N_DIR / f"dhstudio_{language}.qm"


def set_language(app: QApplication, language: str) -> bool:
    """Install the catalogue for `language` ("en" removes any); False when it cannot be loaded.

    Qt's own texts (the Yes/No/OK/Cancel of message boxes and button boxes) come from Qt's
    `qtbase_<language>.qm` shipped with PySide6, installed beside the studio's where it is found."""
    global _installed, _installed_qt
    for old in (_installed, _installed_qt):
        if old is not None:
            app.removeTranslator(old)
    _installed = _installed_qt = None
    if language == "en":
        return True
    translator = QTranslator(app)
    if not translator.load(str(qm_path(language))):
        return False
    qt_own = QTranslator(app)
    if qt_own.load(f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt_own)
        _installed_qt = qt_own
    app.installTranslator(translator)
    _installed = translator
    return True


def add_item(combo: QComboBox, english: str, data=None) -> None:
    """`combo.addItem` in the interface language, remembering the English for a later switch."""
    shown = tr(english)
    combo.addItem(shown, data)
    combo.setItemData(combo.count() - 1, english, _ITEM_SOURCE)
    combo.setItemData(combo.count() - 1, shown, _ITEM_SOURCE + 1)


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


def _swap_item(current: str, data, set_data, set_text) -> None:
    """`_swap` for an item (no properties): its source and shown text kept in roles of their own."""
    source, shown = data(_ITEM_SOURCE), data(_ITEM_SOURCE + 1)
    if source is None or current != shown:
        source = current
    new = tr(source)
    set_data(_ITEM_SOURCE, source)
    set_data(_ITEM_SOURCE + 1, new)
    if new != current:
        set_text(new)


def _combo_items(combo: QComboBox) -> None:
    """The code reads the items' data, not their text."""
    for i in range(combo.count()):
        _swap_item(
            combo.itemText(i),
            lambda role, i=i: combo.itemData(i, role),
            lambda role, value, i=i: combo.setItemData(i, value, role),
            lambda text, i=i: combo.setItemText(i, text),
        )


def _table_headers(table: QTableWidget) -> None:
    for c in range(table.columnCount()):
        item = table.horizontalHeaderItem(c)
        if item is not None and item.text():
            _swap_item(item.text(), item.data, item.setData, item.setText)


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
    for w in root.findChildren(QTableWidget):
        _table_headers(w)
    _plot_titles(root)
    for w in root.findChildren(QWidget):  # dialogs and panels parented here
        if w.isWindow() and w is not root:
            _swap(w, w.windowTitle(), w.setWindowTitle)
