"""Open the real main window, grab it to PNG files, and quit.

One PNG of the window (the real-window test):
    xvfb-run -a -s "-screen 0 1280x800x24" python -m studio.gui.screenshot OUT.png [PROJECT]
One PNG per panel with the demo project loaded (start page, media, prepare, clip viewer, training,
runs, render and play), driving the window as a user would:
    xvfb-run -a -s "-screen 0 1400x900x24" python -m studio.gui.screenshot --panels docs/screenshots \
        [--project DIR] [--theme dark] [--size 1366x700]
(`--size 1366x700`: the window a 1366x768 laptop leaves, which every panel must fit.)
Without --project the demo project is built first (a minute on a CPU) in a temporary folder.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import traceback
from pathlib import Path

from studio.startup import prepare_environment


def _one_shot(out: Path, project: Path | None) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from studio.gui import pyside_refcounts
    from studio.gui.main_controller import MainController
    from studio.gui.studio_panels import StudioPanels
    from studio.gui.style import apply_style
    from ui.main_window import MainWindow

    pyside_refcounts.install()
    app = QApplication.instance() or QApplication([sys.argv[0]])
    apply_style(app)
    window = MainWindow()
    controller = MainController(window)
    if project is not None:
        controller.open_path(project)
    StudioPanels(window, controller)
    window.show()

    def grab() -> None:
        pixmap = window.grab()
        ok = pixmap.save(str(out), "PNG")
        print(f"platform={app.platformName()} saved={ok} size={pixmap.width()}x{pixmap.height()}")
        controller.shutdown()
        app.exit(0 if ok else 1)

    QTimer.singleShot(1500, grab)
    return app.exec()


def build_demo(root: Path, steps: int = 60) -> Path:
    """The demo project plus a second lip-sync run, so the runs panel has two curves to compare."""
    from core.jobs.collector import CollectingRunner
    from studio.cli.main import main as cli
    from studio.demo.job import DemoJob

    result = CollectingRunner().run(DemoJob(root, device="cpu", max_steps=steps))
    if not result.ok:
        raise SystemExit(f"demo failed: {result.error}")
    jobs = Path(__file__).resolve().parents[2] / "training_jobs"
    cli(
        [
            "train",
            str(jobs / "dinet_mini.toml"),
            "--project",
            str(root),
            "--max-steps",
            str(steps),
            "--device",
            "cpu",
            "--run-name",
            "dinet-mini-b",
            "--set",
            "model.mouth_size=64",
            "--quiet",
        ]
    )
    return root


def _panels(
    out_dir: Path,
    project: Path,
    settings_dir: Path,
    theme: str = "light",
    size: tuple[int, int] = (1400, 900),
) -> int:
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from core.media.wav import write_wav
    from core.synth.speech import SAMPLE_RATE, synthesize
    from studio.gui import pyside_refcounts
    from studio.gui.main_controller import MainController
    from studio.gui.media_library import clip_entries
    from studio.gui.recent_projects import RecentProjects
    from studio.gui.theme import apply_theme
    from ui.main_window import MainWindow

    out_dir.mkdir(parents=True, exist_ok=True)
    pyside_refcounts.install()
    app = QApplication.instance() or QApplication([sys.argv[0]])
    apply_theme(app, theme)
    suffix = "" if theme == "light" else f"-{theme}"
    settings = QSettings(str(settings_dir / "settings.ini"), QSettings.Format.IniFormat)
    recent = RecentProjects(settings)
    recent.add(project)
    window = MainWindow()
    c = MainController(window, recent)
    c.refresh_recent_menu()
    window.resize(*size)
    window.show()
    w = window
    saved: list[str] = []

    def save(widget, name: str) -> None:
        path = out_dir / f"{name}{suffix}.png"
        widget.grab().save(str(path), "PNG")
        saved.append(path.name)

    def fail(*exc_info) -> None:  # an error in a timer callback would otherwise leave the window open
        traceback.print_exception(*exc_info)
        app.exit(1)

    sys.excepthook = fail
    audio = settings_dir / "speech.wav"
    speech, _ = synthesize(4.0, seed=11)
    write_wav(audio, speech, SAMPLE_RATE)

    steps = []

    def step(delay_ms: int):
        def wrap(fn):
            steps.append((delay_ms, fn))
            return fn

        return wrap

    @step(800)
    def start_page():
        save(w, "1-start")
        c.open_path(project)

    @step(800)
    def media():
        w.tabs.setCurrentWidget(w.media_view)
        save(w, "2-media")
        entry = clip_entries(c.project)[0]
        c.prepare.prepare(entry, fps=25.0, mouth_size=128)  # asks "prepare again?": answered below
        c.prepare.view.move(w.geometry().center() - c.prepare.view.rect().center())

    def preparing():
        view = c.prepare.view
        early = c.prepare.poller.shown < 3 or view.progress.value() < view.progress.maximum() // 3
        if early and c.job is not None:
            QTimer.singleShot(100, preparing)
            return
        save(view, "3-prepare-running")
        QTimer.singleShot(300, wait_prepare)

    def wait_prepare():
        if c.job is not None:
            QTimer.singleShot(300, wait_prepare)
            return
        save(c.prepare.view, "4-prepare-summary")
        c.prepare.view.hide()
        c.clip_viewer.show_clip(c.prepare.clip_name)
        for box in w.clip_viewer.toggles.values():
            box.setChecked(True)
        QTimer.singleShot(1500, viewer)

    def viewer():
        if c.clip_viewer.cache is None:  # frames still decoding (slow on a busy CPU)
            QTimer.singleShot(300, viewer)
            return
        w.clip_viewer.slider.setValue(w.clip_viewer.slider.maximum() // 3)
        save(w, "5-clip-viewer")
        w.tabs.setCurrentWidget(w.training_view)  # its panel is built on first show
        QTimer.singleShot(800, training)

    def training():
        if c.training is None:
            QTimer.singleShot(300, training)
            return
        save(w, "5b-training")
        w.tabs.setCurrentWidget(w.runs_view)
        names = [n for n in c.runs.runs if c.runs.runs[n].kind == "dinet"][:2]
        c.runs.select(names)
        w.runs_view.metric_combo.setCurrentText("loss/total")
        QTimer.singleShot(800, runs)

    def runs():
        save(w, "6-runs")
        w.tabs.setCurrentWidget(w.render_view)
        w.render_view.audio_edit.setText(str(audio))
        lipsync = {str(r.path) for r in c.runs.runs.values() if r.kind == "dinet"}
        combo = w.render_view.run_combo
        combo.setCurrentIndex(next((i for i in range(combo.count()) if combo.itemData(i) in lipsync), 0))
        c.render.render()
        QTimer.singleShot(500, wait_render)

    def wait_render():
        if c.job is not None:
            QTimer.singleShot(300, wait_render)
            return
        w.render_view.player.toggle()
        QTimer.singleShot(1500, render)

    def render():
        w.render_view.player.toggle()
        save(w, "7-render-play")
        print("saved " + " ".join(saved))
        c.shutdown()
        app.exit(0)

    import studio.gui.dialogs as dialogs

    dialogs.ask = lambda *a, **k: True  # the script answers "prepare again?" with yes

    def run_steps(i: int = 0) -> None:
        if i < len(steps):
            delay, fn = steps[i]
            QTimer.singleShot(delay, lambda: (fn(), run_steps(i + 1)))
        else:
            QTimer.singleShot(200, preparing)

    run_steps()
    return app.exec()


def main(argv: list[str]) -> int:
    prepare_environment()
    parser = argparse.ArgumentParser(prog="python -m studio.gui.screenshot")
    parser.add_argument("out", nargs="?", type=Path, help="PNG of the window (one-shot mode)")
    parser.add_argument("project", nargs="?", type=Path)
    parser.add_argument("--panels", type=Path, help="folder for one PNG per panel")
    parser.add_argument(
        "--project", dest="panel_project", type=Path, help="project for --panels (default: demo)"
    )
    parser.add_argument("--theme", choices=("light", "dark"), default="light", help="for --panels")
    parser.add_argument(
        "--size",
        type=_size,
        default=(1400, 900),
        metavar="WxH",
        help="window size for --panels (default 1400x900)",
    )
    args = parser.parse_args(argv)
    if args.panels is None:
        if args.out is None:
            parser.error("give OUT.png or --panels DIR")
        return _one_shot(args.out, args.project)
    with tempfile.TemporaryDirectory(prefix="dhstudio-shots-") as tmp:
        project = args.panel_project or build_demo(Path(tmp) / "Demo")
        return _panels(args.panels, project.resolve(), Path(tmp), args.theme, args.size)


def _size(text: str) -> tuple[int, int]:
    width, sep, height = text.lower().partition("x")
    if not (sep and width.isdigit() and height.isdigit()):
        raise argparse.ArgumentTypeError(f"{text!r}: write the size as WIDTHxHEIGHT, e.g. 1366x700")
    return int(width), int(height)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
