"""Screenshots of the training panel with a run in progress, in the real main window.

`xvfb-run -a -s "-screen 0 1600x1000x24" python -m studio.gui.training_screenshot PROJECT OUT_DIR`
trains a small lip-sync run and a small Gaussian run on PROJECT's first prepared clip (CPU, a few
dozen steps) and saves, while each run is going, one PNG per watch tab that shows something:
training_lipsync_{curves,samples,attention}.png, training_gaussian_{curves,samples,viewport}.png and
training_audio2mouth_curves.png (held-out scores in their own plot), then training_tune_invalid.png
(a value out of range, shown inline, Start disabled).
The runs are stopped after the pictures (their checkpoints stay in PROJECT/runs).
"""

from __future__ import annotations

import sys
from pathlib import Path

import core.config.model  # noqa: F401  (pydantic loaded before PySide6's import hook, see tests/conftest.py)
from studio.startup import prepare_environment

# Small settings so a CPU shows a run with curves and previews within seconds.
RUNS = {
    "lipsync": (
        "dinet",
        "dinet_mini",
        {
            "discriminator.base_channels": 8,
            "discriminator.num_scales": 1,
            "train.batch_size": 4,
            "train.preview_every": 5,
            "train.log_every": 1,
            "model.attention.spatial_channel": True,
            "model.attention.mouth": True,
        },
        (("Curves", "Loss"), ("Samples", "Augmentation"), ("Attention", "Model")),
    ),
    "gaussian": (
        "gaussian",
        "gaussian_balanced",
        {
            "data.resolution": 96,
            "data.max_frames": 24,
            "train.amp": False,
            "train.log_every": 1,
            "train.preview_every": 10,
            "train.eval_every": 10,
            "train.checkpoint_every": 10,
            "densify.every": 10,
            "densify.start": 0.0,
            "innovations.progressive.enabled": False,
        },
        (("Curves", "Innovations"), ("Samples", "Densify"), ("Viewport", "Densify")),
    ),
    "audio2mouth": (
        "audio2mouth",
        "audio2mouth",
        {"prior.use": False, "train.epoch_steps": 5, "train.batch": 4, "train.window": 25},
        (("Curves", "Train"),),
    ),
}


def main(argv: list[str]) -> int:
    prepare_environment()
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from studio.gui.main_controller import MainController
    from ui.main_window import MainWindow

    project, out_dir = Path(argv[0]), Path(argv[1])
    wanted = argv[2:] or list(RUNS)
    out_dir.mkdir(parents=True, exist_ok=True)
    app = QApplication([sys.argv[0]])
    window = MainWindow()
    controller = MainController(window)
    if not controller.open_path(project):
        return 1
    window.resize(1600, 1000)
    # the training tab alone: the jobs dock makes room for it
    window.jobs_dock.hide()
    window.show()
    window.tabs.setCurrentWidget(window.training_view)
    view, training = window.training_view, controller.training

    def wait(ms: int, until=lambda: False) -> None:
        loop = QEventLoop()
        timer = QTimer()
        timer.timeout.connect(lambda: until() and loop.quit())
        timer.start(100)
        QTimer.singleShot(ms, loop.quit)
        loop.exec()
        timer.stop()

    for name in [w for w in wanted if w in RUNS]:  # "tune" alone: only the Tune picture
        family, preset, edits, tabs = RUNS[name]
        training.select(family, preset)
        for path, value in edits.items():
            training.edit(path, value)
        if training.config is None:
            print(view.message.text())
            return 1
        view.device.setCurrentText("cpu")
        view.max_steps.setValue(2000)
        shown = view.samples.shown  # this run's previews: the count goes on across runs
        run = training.start()
        if run is None:
            print(view.message.text())
            return 1
        wait(240_000, lambda shown=shown: view.samples.shown >= shown + 3 and view.progress.value() >= 25)
        if any(tab == "Viewport" for tab, _ in tabs):  # turn the head a little before the picture
            view.viewport.view.orbit.emit(25.0, -8.0)
            wait(30_000, lambda: training.viewport.renders >= 2)
        training.pause()
        wait(600)
        for tab, form_tab in tabs:  # a watch tab, and the config tab shown beside it
            watch_titles = [view.watch.tabText(i) for i in range(view.watch.count())]
            view.watch.setCurrentIndex(watch_titles.index(tab))
            form_titles = [view.form.tabs.tabText(i) for i in range(view.form.tabs.count())]
            view.form.tabs.setCurrentIndex(form_titles.index(form_tab))
            wait(1200)
            path = out_dir / f"training_{name}_{tab.lower()}.png"
            ok = window.grab().save(str(path), "PNG")
            print(f"platform={app.platformName()} saved={ok} {path}")
        view.watch.setCurrentIndex(0)
        training.resume()
        training.stop()
        wait(60_000, lambda: training.job is None)
    # Tune: a value out of range is shown under its field, and Start stays disabled
    training.select("gaussian", "gaussian_full_innovations")
    training.edit("densify.clone_percentile", "120")
    view.form.fields["densify.clone_percentile"].edit.setText("120")
    wait(800)
    path = out_dir / "training_tune_invalid.png"
    print(f"platform={app.platformName()} saved={window.grab().save(str(path), 'PNG')} {path}")
    controller.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
