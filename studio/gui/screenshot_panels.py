"""Screenshots of the live panel running (light/English, dark/Chinese; its whole controls column in
English) and of the Jobs dock listing that session, the export dialog and report, and the settings
dialog, on the current display:

`xvfb-run -a -s "-screen 0 1600x900x24" python -m studio.gui.screenshot_panels OUT PROJECT RUN SPEECH`

Settings go to a throw-away file, never the user's. Each step waits for real events (live status
counts, the export's finished signal), so the pictures show a session that is really running.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from studio.startup import prepare_environment


def main(argv: list[str]) -> int:
    prepare_environment()
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from studio.gui.main_controller import MainController
    from studio.gui.recent_projects import RecentProjects
    from studio.gui.settings import Preferences, StudioSettings
    from studio.gui.studio_panels import StudioPanels
    from ui.main_window import MainWindow

    out, project, run, speech = Path(argv[0]), Path(argv[1]), Path(argv[2]), Path(argv[3])
    export_run = Path(argv[4]) if len(argv) > 4 else run  # optional: the run and format the export shots use
    export_format = argv[5] if len(argv) > 5 else "ply"
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication([sys.argv[0]])
    ini = QSettings(str(Path(tempfile.mkdtemp()) / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow()
    main_controller = MainController(window, RecentProjects(ini))
    panels = StudioPanels(window, main_controller, StudioSettings(ini))
    window.resize(1560, 860)
    main_controller.open_path(project)
    window.show()
    live = panels.live
    steps: list[Callable[[], bool]] = []  # each returns True when done (polled every 100 ms)

    def save(widget, name: str) -> None:
        ok = widget.grab().save(str(out / name), "PNG")
        print(f"{name}: saved={ok} platform={app.platformName()}")

    def start_live() -> bool:
        live.select_avatar(run)
        panels.live_view.file_edit.setText(str(speech))
        panels.live_view.file_radio.setChecked(True)
        panels.live_view.sliders["gain"].setValue(120)
        live.start()
        return True

    def running(n: int) -> Callable[[], bool]:
        return lambda: live.statuses >= n and panels.live_view.view.frames_shown > 5

    def stop_live() -> bool:
        live.stop()
        return True

    def stopped() -> bool:
        return live.thread is None

    def theme(prefs: Preferences) -> Callable[[], bool]:
        return lambda: (panels.apply_preferences(prefs), True)[1]

    def grab(name: str, widget=None) -> Callable[[], bool]:
        return lambda: (save(widget() if widget else window, name), True)[1]

    state: dict = {}

    def open_export() -> bool:
        fmt = export_format if export_format in panels.export.actions else next(iter(panels.export.actions))
        panels.export.selected_run = export_run
        dialog = panels.export.open_dialog(fmt)
        dialog.out_edit.setText(str(Path(tempfile.mkdtemp()) / f"{export_run.name}-{fmt}"))
        panels.export.exported.connect(lambda result, report: state.update(report=report))
        return True

    def accept_export() -> bool:
        panels.export.dialog.accept()
        return True

    def open_settings() -> bool:
        state["settings"] = panels.open_settings()
        return True

    steps += [
        start_live,
        running(40),
        grab("live_panel_light_en.png"),
        # the whole controls column, the performance rows and latency graph below the dock's fold too
        grab("live_controls_light_en.png", lambda: panels.live_view.side_scroll.widget()),
        grab("jobs_dock_live_light_en.png", lambda: window.jobs_dock),  # the session's row, its Stop
        stop_live,
        stopped,
        theme(Preferences(theme="dark", language="zh_CN")),
        start_live,
        running(40),
        grab("live_panel_dark_zh.png"),
        grab("jobs_dock_live_dark_zh.png", lambda: window.jobs_dock),
        stop_live,
        stopped,
        theme(Preferences()),
        open_export,
        grab("export_dialog.png", lambda: panels.export.dialog),
        accept_export,
        lambda: state.get("report") is not None,
        grab("export_report.png", lambda: state["report"]),
        open_settings,
        grab("settings_dialog.png", lambda: state["settings"]),
    ]

    def tick() -> None:
        if steps and steps[0]():
            steps.pop(0)
        if not steps:
            panels.shutdown()
            app.exit(0)

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(100)
    QTimer.singleShot(240_000, lambda: (print("timed out at a step"), app.exit(1)))
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
