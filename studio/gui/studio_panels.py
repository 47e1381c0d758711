"""Hooks the live panel, the Export menu, settings, themes, language and shortcuts into the main window.

Kept out of `ui/main_window.py` and `studio/gui/main_controller.py` (other panels are built
there): this adds a Live dock and menu, fills the Export menu from the kind registry, adds
Settings and the user guide, applies the saved theme and language, and saves/restores the
window layout. `app.py` and the screenshot tool create one after the main controller.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSize, Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QApplication, QDockWidget, QFrame, QMenu, QScrollArea

from studio.gui import i18n
from studio.gui.export_controller import ExportController
from studio.gui.live_controller import LiveController
from studio.gui.main_controller import MainController
from studio.gui.settings import DEVICES, LANGUAGES, THEMES, Preferences, StudioSettings
from studio.gui.theme import apply_theme
from ui.live_view import LiveView
from ui.main_window import MainWindow
from ui.settings_dialog import SettingsDialog

USER_GUIDE = Path(__file__).resolve().parents[2] / "docs" / "user_guide.md"  # the installers ship docs/

# main-window action attribute -> shortcut; actions other panels add get theirs when they exist
SHORTCUTS = {
    "action_new": "Ctrl+N",
    "action_open": "Ctrl+O",
    "action_import": "Ctrl+I",
    "action_train": "Ctrl+T",
    "action_live": "Ctrl+L",
    "action_export": "Ctrl+E",
}
# the tabs' width from which the training panel shows its settings tabs beside its watch tabs whole
# (with the Live dock narrow on a 1366 px screen they have about 990 px)
TABS_ROOMY_W = 1000


class StudioPanels(QObject):
    def __init__(
        self, window: MainWindow, main: MainController, settings: StudioSettings | None = None
    ) -> None:
        super().__init__(window)
        self.window, self.main = window, main
        self.settings = settings or StudioSettings()
        self.prefs = self.settings.load()
        self.settings_dialog: SettingsDialog | None = None

        self.live_view = LiveView(window)
        self.live_dock = QDockWidget("Live", window)
        self.live_dock.setObjectName("dock_live")
        # scrolled, so the dock never forces the window wider than a laptop screen (its controls and
        # preview side by side want about 600 px)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.live_view)
        # it scrolls up and down only: never narrower than the stacked panel and a vertical scroll bar
        scroll.setMinimumWidth(
            self.live_view.minimumSizeHint().width()
            + window.style().pixelMetric(window.style().PixelMetric.PM_ScrollBarExtent)
        )
        self.live_dock.setWidget(scroll)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.live_dock)
        # a running session is also a row of the Jobs panel, with its own Stop
        self.live = LiveController(
            self.live_view, preview_fps=self.prefs.preview_fps, job_panel=window.job_panel
        )
        self.live.device = self.prefs.device
        self._select_microphone(self.prefs.microphone)

        self.live_menu = QMenu("&Live", window)
        window.menuBar().insertMenu(window.help_menu.menuAction(), self.live_menu)
        window.action_live = QAction("&Start / Stop Live", window)
        window.action_live.triggered.connect(self.toggle_live)
        self.live_menu.addAction(window.action_live)
        self.live_menu.addAction(self.live_dock.toggleViewAction())

        self.export = ExportController(window, window.export_menu, window.job_panel, self._project_root)
        window.action_export = self.export.shortcut if self.export.actions else None

        window.action_settings = QAction("&Settings…", window)
        window.action_settings.setShortcut(QKeySequence("Ctrl+,"))
        window.action_settings.triggered.connect(self.open_settings)
        window.file_menu.insertAction(window.action_quit, window.action_settings)
        window.action_user_guide = QAction("User &Guide", window)
        window.action_user_guide.setShortcut(QKeySequence.StandardKey.HelpContents)
        window.action_user_guide.triggered.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(USER_GUIDE)))
        )
        window.help_menu.insertAction(window.action_about, window.action_user_guide)
        self.apply_shortcuts()

        main.job_sources += [lambda: self.live.thread, lambda: self.export.thread]  # closing asks about them
        main.project_changed.connect(self._project_changed)
        main.runs_changed.connect(lambda: self._project_changed(main.project))
        window.runs_view.table.itemSelectionChanged.connect(self._run_selected)
        if main.project is not None:
            self._project_changed(main.project)
        if not self.settings.restore_window(window):
            self.first_layout()
        self.apply_preferences(self.prefs)

    # wiring ---------------------------------------------------------------------------------
    def apply_shortcuts(self) -> None:
        for name, keys in SHORTCUTS.items():
            action = getattr(self.window, name, None)
            if isinstance(action, QAction):
                action.setShortcut(QKeySequence(keys))

    def first_layout(self, available: QSize | None = None) -> None:
        """First start on a screen with `available` room (default: this window's screen).

        The Live dock sits beside the tabs with its controls beside the avatar only where the tabs
        keep TABS_ROOMY_W; on a laptop screen (1366 or 1280 px wide) it starts at its narrow width,
        avatar above controls, so the training panel keeps its settings and watch tabs whole. The
        user's own resizing is kept (`StudioSettings.save_window`) and restored on the next start.
        """
        w = self.window
        available = available or w.screen().availableGeometry().size()
        w.fit_screen(available)
        bar = w.style().pixelMetric(w.style().PixelMetric.PM_ScrollBarExtent)
        beside = self.live_view.side_by_side_width() + bar
        narrow = self.live_view.minimumSizeHint().width() + bar
        dock = beside if available.width() >= TABS_ROOMY_W + beside else narrow
        want = max(w.centralWidget().minimumSizeHint().width(), TABS_ROOMY_W) + dock
        w.resize(min(max(w.width(), want), available.width()), w.height())
        w.resizeDocks([self.live_dock], [dock], Qt.Orientation.Horizontal)

    def _project_root(self) -> Path | None:
        return self.main.project.root if self.main.project is not None else None

    def _project_changed(self, project) -> None:
        self.live.set_project(project.root if project is not None else None)

    def _run_selected(self) -> None:
        """A run chosen in the runs panel becomes the one the Export dialog and live panel offer."""
        root = self._project_root()
        names = self.window.runs_view.selected_names()
        if not names or root is None:
            return
        run = self.main.project.layout.run(names[0])
        if (run / "status.json").is_file():
            self.export.selected_run = run
            if self.live_view.avatar_combo.findData(str(run)) >= 0:
                self.live.select_avatar(run)

    def toggle_live(self) -> None:
        self.live_dock.show()
        self.live_dock.raise_()
        if self.live.thread is None:
            self.live.start()
        else:
            self.live.stop()

    def _select_microphone(self, name: str) -> None:
        combo = self.live_view.device_combo
        for i in range(combo.count()):
            if name and name in combo.itemText(i):
                combo.setCurrentIndex(i)

    # settings -------------------------------------------------------------------------------
    def open_settings(self) -> SettingsDialog:
        d = self.settings_dialog = SettingsDialog(self.window)
        for theme in THEMES:
            d.theme_combo.addItem(i18n.tr(theme.title()), theme)
        for code, title in LANGUAGES.items():
            d.language_combo.addItem(title, code)
        for device in DEVICES:
            d.device_combo.addItem(device, device)
        d.microphone_combo.addItem(i18n.tr("(system default)"), "")
        for i in range(self.live_view.device_combo.count()):
            name = self.live_view.device_combo.itemText(i).split(": ", 1)[-1]
            d.microphone_combo.addItem(name, name)
        p = self.prefs
        for combo, value in (
            (d.theme_combo, p.theme),
            (d.language_combo, p.language),
            (d.device_combo, p.device),
            (d.microphone_combo, p.microphone),
        ):
            combo.setCurrentIndex(max(combo.findData(value), 0))
        d.preview_spin.setValue(p.preview_fps)
        d.note.setText(i18n.tr("The interface language changes at once; some texts follow after a restart."))
        d.accepted.connect(lambda: self._settings_accepted(d))
        i18n.retranslate(d)
        d.open()
        return d

    def _settings_accepted(self, d: SettingsDialog) -> None:
        prefs = Preferences(
            theme=d.theme_combo.currentData(),
            language=d.language_combo.currentData(),
            device=d.device_combo.currentData(),
            preview_fps=d.preview_spin.value(),
            microphone=d.microphone_combo.currentData() or "",
        )
        self.settings.save(prefs)
        self.apply_preferences(prefs)

    def apply_preferences(self, prefs: Preferences) -> None:
        self.prefs = prefs
        app = QApplication.instance()
        apply_theme(app, prefs.theme)
        if not i18n.set_language(app, prefs.language):
            self.window.statusBar().showMessage(
                f"no translation catalogue for {prefs.language} at {i18n.qm_path(prefs.language)}", 8000
            )
        i18n.retranslate(self.window)
        self.main.retranslate()  # texts composed with a path, a title or numbers: composed again
        self.live.retranslate()
        self.live.preview_fps = float(prefs.preview_fps)
        self.live.device = prefs.device
        self._select_microphone(prefs.microphone)

    def shutdown(self) -> None:
        self.settings.save_window(self.window)
        self.live.shutdown()
        self.export.shutdown()
