"""What a user sees cut off in a window: measured, so a test can list it.

Each check compares what a widget needs to show its text whole (Qt's own size hints, the
height a wrapped label needs for its width) with the size it was given:
- a label or button narrower than its text, a wrapped label shorter than its lines;
- a tab bar narrower than its tabs (Qt then scrolls them behind arrows);
- a line edit's hint text longer than its box;
- a widget reaching past the window's edge.
Scrolled content is exempt from the edge check (it scrolls, nothing is lost); parts Qt lays out
inside one control (a spin box's editor, a combo's view) are skipped.
"""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QStyle,
    QStyleOptionComboBox,
    QTabBar,
    QWidget,
)


def part_of_a_control(w: QWidget, root: QWidget) -> bool:
    """A part Qt lays out itself inside one control (a spin box's line edit, a tab bar's scroll
    arrows, a scroll bar's container); a tab widget's own tab bar and pages are checked."""
    name = w.objectName()
    containers = ("qt_tabwidget_stackedwidget", "qt_scrollarea_viewport")
    if name.startswith("qt_") and name not in containers and not isinstance(w, QTabBar | QAbstractScrollArea):
        return True
    p = w.parentWidget()
    while p is not None and p is not root:
        if isinstance(p, QAbstractSpinBox | QComboBox | QTabBar):
            return True
        p = p.parentWidget()
    return False


def _name(w: QWidget) -> str:
    text = ""
    if isinstance(w, QLabel | QAbstractButton):
        text = w.text()
    elif isinstance(w, QLineEdit):
        text = w.placeholderText()
    elif isinstance(w, QTabBar):
        text = "|".join(w.tabText(i) for i in range(w.count()))
    return f"{type(w).__name__}{'#' + w.objectName() if w.objectName() else ''} {text[:50]!r}"


def in_view(w: QWidget, root: QWidget) -> bool:
    """Shown on screen now: visible, and inside every scroll area's viewport above it (a label
    scrolled out of sight is not cut off, the user scrolls to it)."""
    if not w.isVisibleTo(root) or w.width() <= 0 or w.height() <= 0:
        return False
    p = w.parentWidget()
    while p is not None and p is not root:
        if isinstance(p, QAbstractScrollArea):
            area = QRect(p.viewport().mapTo(root, p.viewport().rect().topLeft()), p.viewport().size())
            if not area.intersects(QRect(w.mapTo(root, w.rect().topLeft()), w.size())):
                return False
        p = p.parentWidget()
    return True


def cut_texts(root: QWidget) -> list[str]:
    """Every label, button, tab bar and hint text under `root` shown with less room than it needs."""
    cut = []
    for w in root.findChildren(QWidget):
        if w.isWindow() or part_of_a_control(w, root) or not in_view(w, root):
            continue
        need = None
        if isinstance(w, QLabel) and w.text() and w.pixmap().isNull():
            if w.wordWrap():
                need_h = w.heightForWidth(w.width())
                if need_h > w.height():
                    cut.append(f"{_name(w)}: {w.width()}x{w.height()}, its lines need {need_h} px high")
                continue
            need = w.sizeHint().width()
        elif isinstance(w, QAbstractButton) and w.text():
            need = w.sizeHint().width()
        elif isinstance(w, QTabBar) and w.count() > 1:
            need = sum(w.tabSizeHint(i).width() for i in range(w.count()))
        elif isinstance(w, QComboBox) and not w.isEditable() and w.currentText():
            if hasattr(w, "displayed_text"):  # draws a long name elided with "…" (full name as tooltip)
                continue
            need = w.fontMetrics().horizontalAdvance(w.currentText())
            opt = QStyleOptionComboBox()
            w.initStyleOption(opt)
            field = w.style().subControlRect(
                QStyle.ComplexControl.CC_ComboBox, opt, QStyle.SubControl.SC_ComboBoxEditField, w
            )
            if field.width() < need:
                cut.append(
                    f"{_name(w)} {w.currentText()!r}: its field is {field.width()} px, the text {need}"
                )
            continue
        elif isinstance(w, QLineEdit) and not w.text() and w.placeholderText():
            m = w.textMargins()
            need = w.fontMetrics().horizontalAdvance(w.placeholderText()) + m.left() + m.right() + 12
        if need is not None and w.width() < need:
            cut.append(f"{_name(w)}: {w.width()} px wide, its text needs {need}")
    return cut


def past_the_window(window: QWidget) -> list[str]:
    """Visible widgets (outside scrolled content) that reach past the window's edge."""
    out = []
    frame = window.rect()
    for w in window.findChildren(QWidget):
        if w.isWindow() or not w.isVisibleTo(window) or part_of_a_control(w, window):
            continue
        p, scrolled = w.parentWidget(), False
        while p is not None and p is not window:
            scrolled = scrolled or isinstance(p, QAbstractScrollArea)
            p = p.parentWidget()
        if scrolled:
            continue
        box = QRect(w.mapTo(window, w.rect().topLeft()), w.size())
        if not frame.contains(box):
            out.append(f"{_name(w)}: {box} past the window {frame}")
    return out
