"""The main window's layout: menus, status bar, dock areas. Behaviour lives in the controller."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QProgressBar,
    QPushButton,
    QTreeWidget,
    QVBoxLayout,
    QWidget,
)

from ui.job_panel import JobPanel
from ui.training_view import TrainingView


class MainWindow(QMainWindow):
    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("Digital Human Studio")
        self.resize(1280, 800)
        self._build_menus()
        self._build_central()
        self._build_docks()
        self._build_status_bar()

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("&File")
        self.action_new = QAction("&New Project…", self, shortcut=QKeySequence.StandardKey.New)
        self.action_open = QAction("&Open Project…", self, shortcut=QKeySequence.StandardKey.Open)
        self.recent_menu = QMenu("Open &Recent", self)
        self.action_quit = QAction("&Quit", self, shortcut=QKeySequence.StandardKey.Quit)
        self.file_menu.addActions([self.action_new, self.action_open])
        self.file_menu.addMenu(self.recent_menu)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.action_quit)

        self.export_menu = bar.addMenu("&Export")
        self.action_open_exports = QAction("Open &Exports Folder", self)
        self.action_open_exports.setEnabled(False)
        self.export_menu.addAction(self.action_open_exports)

        self.help_menu = bar.addMenu("&Help")
        self.action_doctor = QAction("&Doctor: Check This Machine…", self)
        self.action_about = QAction("&About Digital Human Studio", self)
        self.help_menu.addActions([self.action_doctor, self.action_about])

    def _build_central(self) -> None:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        self.welcome_label = QLabel(
            "<h2>Digital Human Studio</h2>"
            "<p>Create a project, import a talking-head video, train an avatar and drive it live.</p>",
            page,
        )
        self.welcome_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.welcome_new = QPushButton("New Project…", page)
        self.welcome_open = QPushButton("Open Project…", page)
        for w in (self.welcome_label, self.welcome_new, self.welcome_open):
            layout.addWidget(w, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        self.setCentralWidget(page)

    def _build_docks(self) -> None:
        self.project_tree = QTreeWidget(self)
        self.project_tree.setHeaderLabels(["Project", "Details"])
        self.project_dock = self._dock("Project", self.project_tree, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.project_tree.setColumnWidth(0, 170)
        self.job_panel = JobPanel(self)
        self.jobs_dock = self._dock("Jobs", self.job_panel, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.training_view = TrainingView(self)  # issue 16: the training panel (its own controller)
        self.training_dock = self._dock("Training", self.training_view, Qt.DockWidgetArea.RightDockWidgetArea)
        self.training_dock.hide()  # View > Training opens it
        self.view_menu = QMenu("&View", self)
        self.view_menu.addAction(self.training_dock.toggleViewAction())
        self.menuBar().insertMenu(self.help_menu.menuAction(), self.view_menu)
        self.resizeDocks([self.project_dock], [320], Qt.Orientation.Horizontal)
        self.resizeDocks([self.jobs_dock], [200], Qt.Orientation.Vertical)

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{title.lower()}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_status_bar(self) -> None:
        self.status_label = QLabel("No project open", self)
        self.status_progress = QProgressBar(self)
        self.status_progress.setMaximumWidth(220)
        self.status_progress.setVisible(False)
        self.statusBar().addWidget(self.status_label, 1)
        self.statusBar().addPermanentWidget(self.status_progress)
