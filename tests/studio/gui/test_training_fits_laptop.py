"""The training panel fits a 1366x768 laptop screen (a window about 700 px tall) with nothing cut.

Each avatar family builds its own settings form, and each settings and watch tab has its own
content, so every combination is shown at that size and every visible widget is checked: given at
least its minimum size, and inside its parent (scrolled content excepted: it is scrolled, not cut).
"""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractScrollArea, QAbstractSpinBox, QComboBox, QTabBar, QWidget

from studio.project import create_project
from ui.main_window import MainWindow

LAPTOP = (1366, 700)  # a 1366x768 screen less the desktop's panel and the window's title bar


def cut_widgets(root: QWidget) -> list[str]:
    """Visible widgets under `root` given less than their minimum size or reaching past their parent."""
    cut = []
    for w in root.findChildren(QWidget):
        if not w.isVisibleTo(root) or w.isWindow() or inside_a_control(w, root):
            continue
        name = f"{type(w).__name__} {w.objectName() or ''}".strip()
        hint = w.minimumSizeHint().expandedTo(w.minimumSize())
        if hint.isValid() and (w.width() < hint.width() or w.height() < hint.height()):
            cut.append(f"{name}: {w.width()}x{w.height()} < minimum {hint.width()}x{hint.height()}")
        parent = w.parentWidget()
        scrolled = parent is not None and isinstance(parent.parentWidget(), QAbstractScrollArea)
        if parent is not None and not scrolled and not parent.rect().contains(w.geometry()):
            cut.append(f"{name}: {w.geometry()} outside its parent {type(parent).__name__} {parent.rect()}")
    return cut


def inside_a_control(w: QWidget, root: QWidget) -> bool:
    """A part Qt lays out itself inside one control (a spin box's line edit, a tab bar's arrows)."""
    while w is not None and w is not root:
        if w.objectName().startswith("qt_"):
            return True
        w = w.parentWidget()
        if isinstance(w, QAbstractSpinBox | QComboBox | QTabBar):
            return True
    return False


def show_training(window: MainWindow, qtbot, controller, tmp_path):
    project = create_project(tmp_path / "proj", "proj")
    assert controller.open_path(project.root)
    window.tabs.setCurrentWidget(window.training_view)
    qtbot.waitUntil(lambda: controller.training is not None, timeout=10_000)
    window.resize(*LAPTOP)
    qtbot.wait(20)
    minimum = window.minimumSizeHint().toTuple()
    assert (window.width(), window.height()) == LAPTOP, f"the window's minimum size is {minimum}"
    return window.training_view


def test_training_panel_fits_a_1366x768_laptop(qtbot, studio, tmp_path) -> None:
    window, controller = studio
    view = show_training(window, qtbot, controller, tmp_path)
    assert window.minimumSizeHint().height() <= LAPTOP[1]
    assert view.minimumSizeHint().height() <= view.height()
    assert view.plot.height() >= 200 and view.plot.width() >= 600  # the curves keep a useful size
    for family in range(view.family.count()):
        view.family.setCurrentIndex(family)
        for tab in range(view.form.tabs.count()):
            view.form.tabs.setCurrentIndex(tab)
            for watch in range(view.watch.count()):
                view.watch.setCurrentIndex(watch)
                qtbot.wait(1)  # let the layouts settle
                assert view.minimumSizeHint().height() <= view.height()
                shown = (view.family.currentText(), view.form.tabs.tabText(tab), view.watch.tabText(watch))
                assert cut_widgets(view) == [], " / ".join(shown)


def test_an_error_message_does_not_push_the_panel_past_the_window(qtbot, studio, tmp_path) -> None:
    window, controller = studio
    view = show_training(window, qtbot, controller, tmp_path)
    view.show_message("train.steps: must be at least 1 (file edited); allowed: 1 to 10000000. " * 3)
    qtbot.wait(1)
    assert view.message.isVisible() and view.minimumSizeHint().height() <= view.height()
    assert cut_widgets(view) == []
