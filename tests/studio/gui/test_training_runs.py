"""The training panel's Run and Watch: real few-step trainings on a tiny prepared clip (pytest-qt)."""

from __future__ import annotations

import itertools
import threading
import time

import pytest
from PySide6.QtCore import QObject, QTimer, Slot

from core.jobs.job import Status
from core.train.run_folder import RunFolder
from studio.gui.training_controller import TrainingController
from studio.project import open_project
from tests.core.lipsync.prepared_fixture import build_prepared_clip
from ui.training_view import TrainingView


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("trainui") / "proj"
    build_prepared_clip(root, duration=2.0)
    return open_project(root)


@pytest.fixture
def panel(qtbot, project):
    view = TrainingView()
    qtbot.addWidget(view)
    view.resize(1300, 850)
    controller = TrainingController(view, project)
    view.device.setCurrentText("cpu")
    yield view, controller
    controller.shutdown()


def _set(view, path: str, value) -> None:
    field = view.form.fields[path]
    if field.check is not None:
        field.check.setChecked(bool(value))
    elif field.combo is not None:
        field.combo.setCurrentIndex(field.combo.findData(value))
    else:
        field.edit.setText(str(value))
        field.edit.textEdited.emit(str(value))


def _configure(view, c, kind: str, preset: str, values: dict) -> None:
    """Pick `kind`/`preset`, type each field value into the form, and check the config is valid."""
    c.select(kind, preset)
    for path, value in values.items():
        _set(view, path, value)
    assert c.config is not None, view.message.text()


def _tiny_dinet(view, c, attention: bool = True) -> None:
    values = {
        "discriminator.base_channels": 8,
        "discriminator.num_scales": 1,
        "train.batch_size": 2,
        "train.preview_every": 2,
        "train.log_every": 1,
        "train.checkpoint_every": 2,
        "model.attention.spatial_channel": attention,
        "model.attention.mouth": attention,
    }
    _configure(view, c, "dinet", "dinet_mini", values)


def _assert_labelled(samples) -> None:
    """What is painted: a header row of labels above the grid, as wide as the grid drawn under it."""
    shown = samples.pixmap()
    header = samples.header_height()
    assert header >= samples.fontMetrics().height()
    grid_w, grid_h = samples.image_size
    drawn_h = shown.height() - header
    assert abs(drawn_h / shown.width() - grid_h / grid_w) < 0.02  # the grid keeps its aspect below it
    top = shown.toImage().copy(0, 0, shown.width(), header)
    colours = {top.pixel(x, y) for x in range(0, top.width(), 2) for y in range(top.height())}
    assert len(colours) > 2  # text was drawn, not an empty strip


def _finish(qtbot, c, timeout: int = 90_000):
    with qtbot.waitSignal(c.run_finished, timeout=timeout) as blocker:
        pass
    return blocker.args[0]


def test_the_run_trains_on_the_clip_chosen_in_the_panel(panel, project) -> None:
    view, c = panel
    names = [p.name for p in project.prepared_clips()]
    assert [view.clip.itemText(i) for i in range(view.clip.count())] == ["All clips", *names]
    _tiny_dinet(view, c)
    view.clip.addItem("gone", "gone")  # a clip removed since the list was filled
    view.clip.setCurrentIndex(view.clip.count() - 1)
    before = sorted(p.name for p in project.runs_dir.iterdir()) if project.runs_dir.is_dir() else []
    assert c.start() is None  # the chosen clip reaches the run's clips: refused by name, nothing made
    assert "No prepared clip named 'gone'" in view.message.text()
    assert (sorted(p.name for p in project.runs_dir.iterdir()) if project.runs_dir.is_dir() else []) == before
    c.fill_clips()
    assert view.clip.currentText() == "All clips" and view.clip.count() == 1 + len(names)


def test_lipsync_run_draws_curves_samples_and_attention(qtbot, panel, project) -> None:
    view, c = panel
    _tiny_dinet(view, c)
    view.max_steps.setValue(4)
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    with qtbot.waitSignal(c.run_finished, timeout=120_000) as blocker:
        view.start_button.click()
        assert c.job is not None and not view.start_button.isEnabled() and view.stop_button.isEnabled()
    timer.stop()
    result = blocker.args[0]
    assert result.status is Status.SUCCEEDED, view.message.text()
    run = RunFolder(result.value)
    assert run.read_status()["state"] == "finished" and run.read_status()["job"] == "dinet_mini"
    assert (run.path / "config.toml").is_file() and "base_channels = 8" in (
        run.path / "config.toml"
    ).read_text()
    losses = [name for panel_name, name in view.plot.series if panel_name == "Losses"]
    assert any(n.startswith("loss/") for n in losses)
    curve = view.plot.series[("Losses", "loss/total")]  # every step (the mini critic's loss/d every 2nd)
    assert len(curve.steps) >= 3 and curve.raw_curve.xData is not None and len(curve.raw_curve.xData) >= 3
    assert ("Learning rate", "lr/generator") in view.plot.series
    assert view.samples.shown >= 1 and view.attention.shown >= 1
    # the grid's columns are labelled as its producer names them, plus the panel's difference column
    from core.lipsync.previews import SAMPLE_GRID_COLUMNS
    from studio.gui.training_watch import DIFFERENCE_COLUMN

    assert view.samples.columns == (*SAMPLE_GRID_COLUMNS, DIFFERENCE_COLUMN)
    _assert_labelled(view.samples)
    shown = view.attention.shown
    view.attention_opacity.setValue(30)
    assert view.attention.shown == shown + 1 and view.attention_opacity_label.text() == "Opacity 30 %"
    assert view.progress.value() == 4 and view.status.text().startswith("Finished")
    # the event loop kept running while the trainer worked (20 ms timer, generous tolerance)
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    assert len(ticks) > 5 and max(gaps) < 1.0, max(gaps)


def test_pause_resume_stop_and_continue_from_checkpoint(qtbot, panel, project) -> None:
    view, c = panel
    _tiny_dinet(view, c, attention=False)
    view.max_steps.setValue(400)
    steps: list[int] = []  # every progress event, as the trainer reports it
    c.run_started.connect(lambda _run: c.job.worker.progress.connect(lambda step, *_: steps.append(step)))
    with qtbot.waitSignal(c.run_started, timeout=30_000):
        view.start_button.click()
    qtbot.waitUntil(lambda: len(steps) >= 2, timeout=60_000)
    view.pause_button.click()
    assert c.job.control.paused and view.resume_button.isEnabled() and not view.pause_button.isEnabled()
    drawn = view.plot.series[("Losses", "loss/total")]
    assert drawn.raw_curve is not None and len(drawn.raw_curve.xData) >= 1  # pausing draws what came
    qtbot.wait(300)
    held = steps[-1]
    qtbot.wait(700)
    assert steps[-1] <= held + 1  # at most the step that was under way
    qtbot.waitUntil(lambda: "paused" in view.status.text(), timeout=5_000)
    view.resume_button.click()
    qtbot.waitUntil(lambda: steps[-1] >= held + 2, timeout=60_000)
    with qtbot.waitSignal(c.run_finished, timeout=60_000) as blocker:
        view.stop_button.click()
    assert blocker.args[0].status is Status.CANCELLED
    run = RunFolder(c.run.path if c.run else next(project.runs_dir.iterdir()))
    status = run.read_status()
    assert status["state"] == "cancelled"
    assert any(run.checkpoints.iterdir()), "stop must leave a checkpoint"
    stopped_at = view.progress.value()
    # the stopped run is offered for continuing; continue it for a few more steps
    assert view.resume_run.count() >= 1 and view.continue_button.isEnabled()
    index = view.resume_run.findData(run.path.name)
    view.resume_run.setCurrentIndex(index)
    view.max_steps.setValue(stopped_at + 2)
    with qtbot.waitSignal(c.run_finished, timeout=90_000) as blocker:
        view.continue_button.click()
    assert blocker.args[0].status is Status.SUCCEEDED, view.message.text()
    assert RunFolder(run.path).read_status()["state"] == "finished"
    assert view.progress.value() == stopped_at + 2
    assert f"resumed at step {stopped_at}" in view.log.toPlainText()


def test_gaussian_run_draws_counts_heldout_render_and_viewport(qtbot, panel, project) -> None:
    view, c = panel
    values = {
        "data.resolution": 48,
        "data.max_frames": 12,
        "train.sh_degree": 0,
        "train.log_every": 1,
        "train.preview_every": 3,
        "train.checkpoint_every": 3,
        "densify.every": 2,
        "densify.start": 0.0,
        "densify.stop": 1.0,
    }
    _configure(view, c, "gaussian", "gaussian_ultra_efficient", values)
    view.max_steps.setValue(8)
    shown_on: list[str] = []  # the viewport's renders reach the widget on the GUI thread only
    show_render = view.viewport.show_render

    def record_thread(*args) -> None:
        shown_on.append(threading.current_thread().name)
        show_render(*args)

    view.viewport.show_render = record_thread
    with qtbot.waitSignal(c.run_finished, timeout=120_000) as blocker:
        view.start_button.click()
    assert blocker.args[0].status is Status.SUCCEEDED, view.message.text()
    assert ("Gaussians", "train/gaussians") in view.plot.series
    assert view.plot.refine_steps and all(0 < s <= 8 for s in view.plot.refine_steps)
    assert view.samples.shown >= 1
    from core.gaussians.train.step import HELDOUT_PREVIEW_COLUMNS

    assert view.samples.columns == HELDOUT_PREVIEW_COLUMNS
    _assert_labelled(view.samples)
    # the viewport renders the run's checkpoint; orbit, scrub and point mode each re-render
    qtbot.waitUntil(lambda: c.viewport.renders >= 1, timeout=30_000)
    assert "Gaussians" in view.viewport.info.text()
    assert view.viewport.frame_slider.maximum() > 0
    before = view.viewport.view.pixmap().toImage()
    n = c.viewport.renders
    view.viewport.view.orbit.emit(30.0, 0.0)
    # a render asked for before the orbit (the finished run's reload) may land first: wait for the orbit's
    qtbot.waitUntil(
        lambda: c.viewport.renders > n and view.viewport.view.pixmap().toImage() != before, timeout=30_000
    )
    assert view.viewport.view.pixmap().toImage() != before
    n = c.viewport.renders
    view.viewport.frame_slider.setValue(view.viewport.frame_slider.maximum())
    view.viewport.mode.setCurrentText("points")
    last = view.viewport.frame_slider.maximum()
    qtbot.waitUntil(lambda: view.viewport.frame_label.text() == f"frame {last}", timeout=30_000)
    qtbot.waitUntil(lambda: c.viewport.renders > n + 1 or c.viewport.state.points, timeout=30_000)
    assert c.viewport.state == c.viewport.state.__class__(yaw=30.0, frame=last, points=True)
    assert shown_on and set(shown_on) == {"MainThread"}


def test_ablation_suite_from_the_panel(qtbot, panel, project, repo_root) -> None:
    view, c = panel
    suite = project.root / "presets" / "ablation_tiny.toml"
    suite.parent.mkdir(exist_ok=True)
    base = repo_root / "training_jobs" / "gaussian_baseline.toml"
    suite.write_text(
        f'name = "tiny"\nbase = "{base}"\nsteps = 50\n'
        'set = ["data.resolution=32", "data.max_frames=10", "train.sh_degree=0", "train.amp=false"]\n'
        '[[configs]]\nname = "baseline"\n'
        '[[configs]]\nname = "region weights"\nset = ["innovations.region_weights.enabled=true"]\n'
    )
    c.set_project(project)
    view.ablation_suite.setCurrentIndex(view.ablation_suite.findText("ablation_tiny"))
    view.ablation_steps.setValue(3)
    progress: list[str] = []

    class Reader(QObject):  # a QObject's method runs on the GUI thread (a lambda would run on the
        @Slot(int, int, str)  # job's thread, reading the label while the GUI thread sets it)
        def read(self, *_) -> None:
            progress.append(view.ablation_progress.text())

    reader = Reader()
    with qtbot.waitSignal(c.ablation.finished, timeout=120_000) as blocker:
        view.ablation_start.click()
        assert not view.start_button.isEnabled() and view.stop_button.isEnabled()
        c.ablation.job.worker.progress.connect(reader.read)
    assert blocker.args[0].status is Status.SUCCEEDED, view.ablation_progress.text()
    assert any(p.startswith("configuration 1/2 (baseline)") for p in progress)
    assert any(p.startswith("configuration 2/2 (region weights)") for p in progress)
    table = view.ablation_table
    assert table.rowCount() == 2 and table.item(1, 0).text() == "region weights"
    headers = [table.horizontalHeaderItem(i).text() for i in range(table.columnCount())]
    assert "psnr" in headers and float(table.item(0, headers.index("psnr")).text()) > 0
    assert view.ablation_chart.shown == 1 and view.start_button.isEnabled()
