"""The main window with the live dock, the Export menu, settings, themes, language and shortcuts."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QKeySequence, QPalette
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from core.kinds.registry import export_formats
from studio.gui.settings import StudioSettings
from tests.studio.gui.conftest import open_full_studio


def test_menus_dock_and_shortcuts(full_studio):
    w, _, panels = full_studio
    assert [a.text() for a in w.menuBar().actions()] == ["&File", "&Export", "&Live", "&Help"]
    assert panels.live_dock.objectName() == "dock_live" and panels.live_dock.isVisible()
    assert w.action_live.shortcut() == QKeySequence("Ctrl+L")
    assert w.action_new.shortcut() == QKeySequence("Ctrl+N") and w.action_open.shortcut() == QKeySequence(
        "Ctrl+O"
    )
    assert w.action_export.shortcut() == QKeySequence("Ctrl+E")
    help_items = [a.text() for a in w.help_menu.actions()]
    assert help_items[:3] == ["&Doctor: Check This Machine…", "User &Guide", "&About Digital Human Studio"]


def test_the_window_with_the_live_dock_fits_a_laptop_screen(full_studio):
    w, _, panels = full_studio
    assert panels.live_dock.isVisible()
    assert w.minimumSizeHint().width() <= 1366  # was 1578: the dock's 604 px beside the 964 px training tab


def test_on_a_laptop_screen_the_live_dock_shows_its_controls_without_sideways_scrolling(qtbot, full_studio):
    w, _, panels = full_studio
    w.resize(1366, 768)
    qtbot.waitUntil(lambda: w.width() == 1366)
    QApplication.processEvents()
    scroll = panels.live_dock.widget()
    # was: a 300 px dock around the 360 px panel, its message, Browse button and placeholder cut off
    assert not scroll.horizontalScrollBar().isVisible()
    assert scroll.viewport().width() >= panels.live_view.minimumSizeHint().width()


def test_export_menu_lists_every_registry_format(full_studio):
    w, _, _ = full_studio
    listed = [a.text() for a in w.export_menu.actions() if a.text().startswith("Export as")]
    assert listed == [f"Export as {f}…" for f in export_formats()]
    assert "Open &Exports Folder" in [a.text() for a in w.export_menu.actions()]


def test_export_ply_from_the_menu_shows_the_report(qtbot, full_studio, gp, tmp_path):
    _, main, panels = full_studio
    assert main.open_path(gp.root)
    panels.export.actions["ply"].trigger()
    dialog = panels.export.dialog
    runs = [dialog.run_combo.itemData(i) for i in range(dialog.run_combo.count())]
    assert runs == [str(gp.gaussian_run)]  # only the kinds that offer ply
    out = tmp_path / "ply_out"
    dialog.out_edit.setText(str(out))
    dialog.frame_spin.setValue(2)
    with qtbot.waitSignal(panels.export.exported, timeout=60_000) as done:
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    result, report = done.args
    assert result.ok, result.error
    assert len(list(out.glob("*.ply"))) == 2
    text = report.text.toPlainText()
    assert f"Exported to {out}" in text and ".ply" in text
    assert report.open_button.text() == "Open folder" and report.isVisible()


def test_settings_persist_and_switch_theme_and_language(qtbot, full_studio, tmp_path):
    w, _, panels = full_studio
    d = panels.open_settings()
    d.theme_combo.setCurrentIndex(d.theme_combo.findData("dark"))
    d.language_combo.setCurrentIndex(d.language_combo.findData("zh_CN"))
    d.preview_spin.setValue(24)
    d.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    app = QApplication.instance()
    assert app.palette().color(QPalette.ColorRole.Window).lightness() < 80  # dark
    assert [a.text() for a in w.menuBar().actions()] == ["文件(&F)", "导出(&E)", "实时(&L)", "帮助(&H)"]
    assert panels.live_dock.windowTitle() == "实时驱动" and panels.live_view.start_button.text() == "开始"
    assert panels.live.preview_fps == 24
    saved = StudioSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)).load()
    assert (saved.theme, saved.language, saved.preview_fps) == ("dark", "zh_CN", 24)
    panels.apply_preferences(saved.__class__())  # back to English and light
    assert [a.text() for a in w.menuBar().actions()] == ["&File", "&Export", "&Live", "&Help"]
    assert app.palette().color(QPalette.ColorRole.Window).lightness() > 150


def test_dark_theme_reaches_plots_cards_and_messages(qtbot, full_studio):
    """The dark theme darkens what paints its own colours: pyqtgraph plots and stylesheet rules."""
    w, _, panels = full_studio
    app = QApplication.instance()
    plot = w.runs_view.plot
    assert plot.backgroundBrush().color().lightness() > 200  # light to start with
    panels.apply_preferences(panels.prefs.__class__(theme="dark"))
    qtbot.waitUntil(lambda: plot.backgroundBrush().color().lightness() < 80, timeout=3000)
    assert plot.getPlotItem().getAxis("left").textPen().color().lightness() > 150  # readable labels
    assert "#333333" in app.styleSheet() and "QFrame#clipCard" in app.styleSheet()
    panels.live_view.show_message("no microphone")
    panels.live_view.message.ensurePolished()
    red = panels.live_view.message.palette().color(QPalette.ColorRole.WindowText)
    assert red.red() > 200 and red.lightness() > 120  # light red on the dark window
    panels.apply_preferences(panels.prefs.__class__())
    qtbot.waitUntil(lambda: plot.backgroundBrush().color().lightness() > 200, timeout=3000)
    assert "#333333" not in app.styleSheet()


def test_window_layout_is_restored(qtbot, tmp_path):
    ini = tmp_path / "layout.ini"
    w, main, panels = open_full_studio(qtbot, ini)
    panels.live_dock.hide()
    w.resize(700, 500)
    size = (w.width(), w.height())
    panels.shutdown()
    main.shutdown()
    w2, main2, panels2 = open_full_studio(qtbot, ini)
    assert not panels2.live_dock.isVisible() and w2.height() == size[1]  # (the offscreen screen is 800 wide)
    panels2.shutdown()
    main2.shutdown()


@pytest.mark.parametrize("fmt", sorted(export_formats()))
def test_every_registry_format_exports_from_the_menu_with_its_report(qtbot, full_studio, gp, tmp_path, fmt):
    """Whatever the kinds register (ONNX fp32/int8, TorchScript, bundles as they land) goes through
    the same menu -> dialog -> job -> report path."""
    _, main, panels = full_studio
    runs = {"dinet": gp.dinet_run, "gaussian": gp.gaussian_run, "audio2mouth": gp.audio_run}
    run = next((runs[k] for k in export_formats()[fmt] if k in runs), None)
    if run is None:
        pytest.skip(f"no run of a kind offering {fmt} in the tiny project")
    assert main.open_path(gp.root)
    panels.export.selected_run = run
    panels.export.actions[fmt].trigger()
    dialog = panels.export.dialog
    assert dialog.run_combo.currentData() == str(run)
    out = tmp_path / f"out-{fmt}"
    dialog.out_edit.setText(str(out))
    with qtbot.waitSignal(panels.export.exported, timeout=300_000) as done:
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    result, report = done.args
    assert result.ok, result.error
    text = report.text.toPlainText()
    assert f"Exported to {out}" in text and any(out.iterdir())


def test_a_run_trained_in_the_studio_is_offered_at_once_by_live_and_render(qtbot, full_studio, tmp_path):
    """Train a 2-step lip-sync run from the Training tab: the Live dock and Render & Play list it when it
    finishes (they kept saying 'No finished ... run yet: train one' until the project was reopened)."""
    from studio.project import open_project
    from tests.core.lipsync.prepared_fixture import build_prepared_clip
    from tests.studio.gui.test_training_runs import _tiny_dinet

    w, main, panels = full_studio
    build_prepared_clip(tmp_path / "proj", duration=2.0)
    main.set_project(open_project(tmp_path / "proj"))
    assert panels.live_view.avatar_combo.count() == 0 and panels.live_view.message.isVisibleTo(w)
    w.tabs.setCurrentWidget(w.training_view)
    view, training = w.training_view, main.training
    view.device.setCurrentText("cpu")
    _tiny_dinet(view, training)
    view.max_steps.setValue(2)
    with qtbot.waitSignal(training.run_finished, timeout=90_000):
        view.start_button.click()
    run = str(training_run := next((tmp_path / "proj" / "runs").iterdir()))
    assert panels.live_view.avatar_combo.findData(run) >= 0, training_run
    assert not panels.live_view.message.isVisibleTo(w), panels.live_view.message.text()
    assert w.render_view.run_combo.findData(run) >= 0 and w.render_view.render_button.isEnabled()


def test_an_export_with_no_run_to_export_cannot_be_started(full_studio, tmp_path):
    """A project with no Gaussian run: the PLY dialog says which runs export as PLY, and its Export button
    is off (it was on, and pressing it said only 'choose a run to export as ply', with an empty list)."""
    from studio.project import create_project

    _, main, panels = full_studio
    main.set_project(create_project(tmp_path / "P"))
    dialog = panels.export.open_dialog("ply")
    assert dialog.run_combo.count() == 0 and "Gaussian head avatar" in dialog.note.text()
    assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    dialog.reject()


def _finished_run(project, name, kind, **status):
    from core.train.run_folder import RunFolder, RunState

    run = RunFolder(project.root / "runs" / name).create(kind, {}, **status)
    run.set_status(RunState.FINISHED)
    return run.path


@pytest.mark.parametrize("fmt", ["onnx", "onnx-int8", "torchscript"])
def test_export_preselects_the_users_newest_run_not_the_automatic_prior(full_studio, tmp_path, fmt):
    """The audio-to-mouth prior made without training (newest, as render made it after training) was
    pre-selected over the user's lip-sync run; the avatar run comes first, then a trained audio run."""
    import time

    from studio.project import create_project

    _, main, panels = full_studio
    project = create_project(tmp_path / "P")
    main.set_project(project)
    mouth = _finished_run(project, "1-audio2mouth", "audio2mouth", source="train", job="audio2mouth")
    time.sleep(0.01)
    old_lipsync = _finished_run(project, "2-dinet-old", "dinet", source="train", job="dinet")
    time.sleep(0.01)
    lipsync = _finished_run(project, "3-dinet", "dinet", source="train", job="dinet")
    time.sleep(0.01)
    _finished_run(
        project,
        "4-audio2mouth-prior",
        "audio2mouth",
        source="audio-to-mouth prior",
        job="audio2mouth-prior",
        made_without_training=True,
    )
    dialog = panels.export.open_dialog(fmt)
    assert dialog.run_combo.count() == 4
    assert dialog.run_combo.currentData() == str(lipsync)
    dialog.reject()
    # no avatar run: the audio model the user trained beats the one made without training
    for run in (old_lipsync, lipsync):
        (run / "status.json").unlink()
    dialog = panels.export.open_dialog(fmt)
    assert dialog.run_combo.currentData() == str(mouth)
    dialog.reject()
