"""The main window's layout: menus, the start page or the project's panels, the Jobs dock, status bar.

Behaviour lives in the controllers (studio/gui/). Two hooks reach them: `files_dropped` (video
files dropped anywhere on the window) and `close_guard` (asked before the window closes).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QProgressBar,
    QStackedWidget,
    QTabWidget,
    QWidget,
)

from ui.clip_viewer_view import ClipViewerView
from ui.job_panel import JobPanel
from ui.media_view import MediaView
from ui.render_view import RenderView
from ui.runs_view import RunsView
from ui.start_view import StartView
from ui.training_view import TrainingView

APP_TITLE = "Digital Human Studio"
WINDOW_W, WINDOW_H = 1280, 800  # the first size on a laptop-sized screen (or the whole screen)
TALL_WINDOW_H = 960  # the first height where the screen has room for it and the window's frame
FRAME_ROOM_H = 80  # kept free for the title bar and frame on such a screen
JOBS_H = 170  # the Jobs dock's first height in a window at least SHORT_WINDOW_H tall
SHORT_WINDOW_H = 900  # below this the Jobs dock starts at its minimum: the panels keep the height


class MainWindow(QMainWindow):
    files_dropped = Signal(list)  # [str] local file paths

    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle(APP_TITLE)
        self.setAcceptDrops(True)
        # docks move and resize at once, without Qt's dock animations: each animation is a QObject
        # deleted later on the GUI thread, whose destructor asks PySide for the GIL while holding
        # Qt's signal-slot lock; a job thread holding the GIL and emitting a signal then waits for
        # that lock, and the window freezes (caught in the GUI tests: test_cancel_from_the_gui...)
        self.setAnimated(False)
        self.close_guard: Callable[[], bool] | None = None
        self._build_menus()
        self._build_central()
        self._build_docks()
        self._build_status_bar()
        self.fit_screen(self.screen().availableGeometry().size())

    def fit_screen(self, available: QSize) -> None:
        """The first size for a screen with `available` room: no larger than it; on a desktop
        screen (1920x1080 and up) tall enough that the panels and the Live dock's controls show
        whole beside a Jobs dock of a few log lines; in a shorter window (a 1366x768 or 1280x720
        laptop) the Jobs dock only as tall as its minimum (a status row and three log lines), so the
        panels above keep the height."""
        tall = available.height() >= TALL_WINDOW_H + FRAME_ROOM_H
        height = TALL_WINDOW_H if tall else min(WINDOW_H, available.height())
        self.resize(min(WINDOW_W, available.width()), height)
        short = height < SHORT_WINDOW_H
        jobs = self.job_panel.minimumSizeHint().height() if short else JOBS_H
        self.resizeDocks([self.jobs_dock], [jobs], Qt.Orientation.Vertical)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("&File")
        self.action_new = QAction("&New Project…", self, shortcut=QKeySequence.StandardKey.New)
        self.action_open = QAction("&Open Project…", self, shortcut=QKeySequence.StandardKey.Open)
        self.recent_menu = QMenu("Open &Recent", self)
        self.action_import = QAction("&Import Video…", self, shortcut=QKeySequence("Ctrl+I"))
        self.action_train = QAction("Start/Stop &Training", self, shortcut=QKeySequence("Ctrl+T"))
        self.action_close_project = QAction("&Close Project", self, shortcut=QKeySequence.StandardKey.Close)
        self.action_quit = QAction("&Quit", self, shortcut=QKeySequence.StandardKey.Quit)
        self.file_menu.addActions([self.action_new, self.action_open])
        self.file_menu.addMenu(self.recent_menu)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.action_import)
        self.file_menu.addAction(self.action_train)
        self.file_menu.addAction(self.action_close_project)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.action_quit)
        self.set_project_actions(False)

        self.export_menu = bar.addMenu("&Export")
        self.action_open_exports = QAction("Open &Exports Folder", self)
        self.action_open_exports.setEnabled(False)
        self.export_menu.addAction(self.action_open_exports)

        self.help_menu = bar.addMenu("&Help")
        self.action_doctor = QAction("&Doctor: Check This Machine…", self)
        self.action_about = QAction("&About Digital Human Studio", self)
        self.help_menu.addActions([self.action_doctor, self.action_about])

    def _build_central(self) -> None:
        self.stack = QStackedWidget(self)
        self.start_view = StartView(self.stack)
        self.tabs = QTabWidget(self.stack)
        self.tabs.setDocumentMode(True)
        self.media_view = MediaView(self.tabs)
        self.clip_viewer = ClipViewerView(self.tabs)
        self.training_view = TrainingView(self.tabs)
        self.runs_view = RunsView(self.tabs)
        self.render_view = RenderView(self.tabs)
        self.tabs.addTab(self.media_view, "Media")
        self.tabs.addTab(self.clip_viewer, "Clip Viewer")
        self.tabs.addTab(self.training_view, "Training")
        self.tabs.addTab(self.runs_view, "Runs")
        self.tabs.addTab(self.render_view, "Render && Play")
        self.stack.addWidget(self.start_view)
        self.stack.addWidget(self.tabs)
        self.setCentralWidget(self.stack)

    def _build_docks(self) -> None:
        self.job_panel = JobPanel(self)
        self.jobs_dock = self._dock("Jobs", self.job_panel, Qt.DockWidgetArea.BottomDockWidgetArea)

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{title.lower()}")
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.addDockWidget(area, dock)
        return dock

    def _build_status_bar(self) -> None:
        self.status_label = QLabel("No project open", self)
        self.status_progress = QProgressBar(self)
        self.status_progress.setMaximumWidth(220)
        self.status_progress.setVisible(False)
        self.statusBar().addWidget(self.status_label, 1)
        self.statusBar().addPermanentWidget(self.status_progress)

    def show_start(self) -> None:
        self.stack.setCurrentWidget(self.start_view)

    def show_project(self) -> None:
        self.stack.setCurrentWidget(self.tabs)

    def set_project_actions(self, enabled: bool) -> None:
        self.action_import.setEnabled(enabled)
        self.action_train.setEnabled(enabled)
        self.action_close_project.setEnabled(enabled)

    # drag and drop, closing ------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:  # noqa: N802 (Qt name)
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.files_dropped.emit(paths)

    def closeEvent(self, event) -> None:  # noqa: N802
        if self.close_guard is not None and not self.close_guard():
            event.ignore()
            return
        super().closeEvent(event)
