"""Every panel of the real studio window as a first start lays it out on a screen, in a language.

    xvfb-run -a -s "-screen 0 1366x768x24" python -m studio.gui.laptop_screenshots OUT PROJECT \
        [--language zh_CN] [--screen 1366x768]

Unlike `studio.gui.screenshot --panels` (a fixed window size, no Live dock), this builds the window
as `python -m studio` does (main controller, Live dock, Export menu, settings), with throw-away
settings so the first-start layout for the screen applies (`StudioPanels.first_layout`), and saves
OUT/<n>-<panel>-<language>.png: the start page, each main tab, the training panel for each avatar
family (curves and ablation tabs), the Live dock and the settings dialog. `--screen` lays the
window out for that screen size instead of the display's (any platform, offscreen included).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from studio.gui.screenshot import _size
from studio.startup import prepare_environment


def main(argv: list[str]) -> int:
    prepare_environment()
    parser = argparse.ArgumentParser(prog="python -m studio.gui.laptop_screenshots")
    parser.add_argument("out", type=Path, help="folder for the PNG files")
    parser.add_argument("project", type=Path, help="a studio project folder (opened, never changed)")
    parser.add_argument("--language", default="en", help="interface language: en or zh_CN")
    parser.add_argument("--screen", type=_size, metavar="WxH", help="lay out for this screen size")
    args = parser.parse_args(argv)

    from PySide6.QtCore import QEventLoop, QSettings, QSize, QTimer
    from PySide6.QtWidgets import QApplication

    from studio.gui.main_controller import MainController
    from studio.gui.recent_projects import RecentProjects
    from studio.gui.settings import Preferences, StudioSettings
    from studio.gui.studio_panels import StudioPanels
    from ui.main_window import MainWindow

    args.out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    ini = QSettings(str(Path(tempfile.mkdtemp()) / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow()
    main_controller = MainController(window, RecentProjects(ini))
    panels = StudioPanels(window, main_controller, StudioSettings(ini))
    if args.screen is not None:
        panels.first_layout(QSize(*args.screen))
    prefs = Preferences(language=args.language)
    panels.apply_preferences(prefs)
    window.show()
    saved: list[str] = []

    def wait(ms: int, until=lambda: False) -> None:
        loop, timer = QEventLoop(), QTimer()
        timer.timeout.connect(lambda: until() and loop.quit())
        timer.start(50)
        QTimer.singleShot(ms, loop.quit)
        loop.exec()
        timer.stop()

    def save(name: str, widget=None) -> None:
        wait(300)
        path = args.out / f"{len(saved)}-{name}-{args.language}.png"
        (widget or window).grab().save(str(path), "PNG")
        saved.append(path.name)

    w, c = window, main_controller
    save("start")
    if not c.open_path(args.project):
        return 1
    panels.apply_preferences(prefs)  # the project's texts in the language too
    w.tabs.setCurrentWidget(w.media_view)
    save("media")
    w.tabs.setCurrentWidget(w.clip_viewer)
    clips = w.clip_viewer.clip_combo
    if clips.count():  # the first prepared clip, its frames decoded
        c.clip_viewer.show_clip(clips.itemText(0))
        wait(10_000, lambda: c.clip_viewer.cache is not None)
    save("clip-viewer")
    timing = c.clip_viewer.change_sync()  # the Sound timing… dialog, cancelled: the project stays as it is
    if timing is not None:
        save("sound-timing", timing)
        timing.reject()
    view = w.training_view
    w.tabs.setCurrentWidget(view)
    wait(10_000, lambda: c.training is not None)
    panels.apply_preferences(prefs)
    for family in range(view.family.count()):
        view.family.setCurrentIndex(family)
        for watch in (view.plot, view.ablation_table):  # the curves and the ablation tab
            view.watch.setCurrentIndex(
                next(
                    i
                    for i in range(view.watch.count())
                    if view.watch.widget(i).isAncestorOf(watch) or view.watch.widget(i) is watch
                )
            )
            save(f"training-{family}-{view.watch.currentIndex()}")
        view.watch.setCurrentIndex(0)
    w.tabs.setCurrentWidget(w.runs_view)
    c.runs.select(list(c.runs.runs)[:2])
    save("runs")
    w.tabs.setCurrentWidget(w.render_view)
    save("render")
    save("live-dock", panels.live_dock)
    dialog = panels.open_settings()
    save("settings", dialog)
    dialog.reject()
    print(f"platform={app.platformName()} window={w.width()}x{w.height()} saved " + " ".join(saved))
    panels.shutdown()
    c.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
