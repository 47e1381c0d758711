"""The render panel's bad inputs become dialogs naming the fix; nothing is rendered or written."""

from __future__ import annotations

from PySide6.QtCore import QObject, Slot

from core.train.run_folder import RunFolder
from studio.project import create_project


def _finished(project, name, kind):
    run = RunFolder(project.runs_dir / name).create(kind, {"kind": kind})
    run.set_status("finished", kind=kind)


def test_render_without_a_usable_audio_file_says_what_to_do(studio, answers, tmp_path):
    w, c = studio
    project = create_project(tmp_path / "P")
    _finished(project, "face", "dinet")
    _finished(project, "voice", "audio2mouth")
    _finished(project, "head", "gaussian")
    c.set_project(project)
    rv = w.render_view
    runs = sorted(rv.run_combo.itemText(i) for i in range(rv.run_combo.count()))
    assert runs == [
        "face  (Lip-sync video avatar)",
        "head  (Gaussian head avatar)",
    ]  # audio2mouth renders nothing
    assert rv.audio_model_combo.currentText() == "voice"

    rv.render_button.click()
    assert answers.warnings[-1] == (
        "Please check the input",
        "Choose an audio file to speak (wav, mp3 or m4a) with Browse….",
    )
    rv.audio_edit.setText(str(tmp_path / "missing.wav"))
    rv.render_button.click()
    assert "Audio file not found" in answers.warnings[-1][1] and "missing.wav" in answers.warnings[-1][1]
    assert c.job is None and not (project.exports_dir / "renders").exists()


def test_switching_projects_while_a_job_runs_is_refused(qtbot, studio, answers, tmp_path):
    import threading

    from tests.core.jobs.test_jobs import CountingJob

    w, c = studio
    first = create_project(tmp_path / "A")
    other = create_project(tmp_path / "B")
    c.set_project(first)
    started, gate = threading.Event(), threading.Event()
    c.start_job(CountingJob(5, started, gate))
    assert started.wait(5)
    c.open_path(other.root)
    w.action_close_project.trigger()
    assert c.project.root == first.root and len(answers.warnings) == 2
    assert "still running" in answers.warnings[0][1]
    gate.set()
    qtbot.waitUntil(lambda: c.job is None, timeout=5000)
    assert c.open_path(other.root) and c.project.root == other.root


def test_render_without_an_audio_model_uses_the_one_live_and_the_cli_would(
    qtbot, studio, answers, tmp_path, tmp_path_factory
):
    """A lip-sync run and no audio-to-mouth run: Render makes the project's prior run, as Live and
    `dhstudio render` do (it used to refuse with a CLI flag, '--audio-model RUN', in the dialog)."""
    import shutil

    from tests.faults.kinds_fixture import tiny_project

    tiny = tiny_project(tmp_path_factory, tmp_path / "copy")
    shutil.rmtree(tiny.a2m)
    w, c = studio
    assert c.open_path(tiny.root)
    rv = w.render_view
    rv.run_combo.setCurrentIndex(rv.run_combo.findData(str(tiny.dinet)))
    assert rv.audio_model_combo.count() == 0
    rv.audio_edit.setText(str(tiny.wav))
    rv.render_button.click()
    qtbot.waitUntil(lambda: c.job is None, timeout=120000)
    assert not answers.warnings, answers.warnings
    out = c.render.last_output
    assert out is not None and out.is_file() and out.stat().st_size > 0
    assert [p.name for p in tiny.runs.iterdir() if p.name.endswith("audio2mouth-prior")]
    assert rv.audio_model_combo.count() == 1  # the run it made is offered from now on


def test_beside_the_live_dock_on_a_laptop_screen_nothing_is_cut_off(qtbot, full_studio, tmp_path):
    """Was: a 290 px column at 1366x700 with the Live dock open; run names, the audio placeholder and
    the video paths cut off, the list scrolling sideways. Long names now elide, the tooltip has them."""
    from PySide6.QtWidgets import QApplication, QStyle, QStyleOptionComboBox

    project = create_project(tmp_path / "P")
    _finished(project, "20261202-002014-dinet_mini_with_a_long_name", "dinet")
    _finished(project, "20261202-002032-audio2mouth-prior-long", "audio2mouth")
    (project.exports_dir / "renders").mkdir(parents=True)
    video = project.exports_dir / "renders" / "20261202-002014-dinet_mini-speech_fr_48k_24bit_7s.mp4"
    video.write_bytes(b"")
    w, main, panels = full_studio
    main.set_project(project)
    w.tabs.setCurrentWidget(w.render_view)
    w.resize(1366, 700)
    qtbot.waitUntil(lambda: w.width() == 1366)
    QApplication.processEvents()
    assert panels.live_dock.isVisible()
    rv = w.render_view
    assert not rv.videos.horizontalScrollBar().isVisible()
    item = rv.videos.item(0)
    assert item.toolTip() == item.text() == "exports/renders/" + video.name
    for combo in (rv.run_combo, rv.audio_model_combo):
        opt = QStyleOptionComboBox()
        combo.initStyleOption(opt)
        field = combo.style().subControlRect(
            QStyle.ComplexControl.CC_ComboBox, opt, QStyle.SubControl.SC_ComboBoxEditField, combo
        )
        assert combo.fontMetrics().horizontalAdvance(combo.displayed_text()) <= field.width()
        assert combo.toolTip() == combo.currentText() and combo.currentText().startswith("20261202-")
    edit = rv.audio_edit
    assert edit.width() >= edit.fontMetrics().horizontalAdvance(edit.placeholderText()) + 8


def test_render_progress_shows_as_a_percentage_in_the_render_and_jobs_bars(
    qtbot, studio, answers, tmp_path, tmp_path_factory
):
    """Both bars were busy indicators (or empty) through a render: the frames done / total the
    render job reports now show as a percentage in the Render panel and in the Jobs panel."""
    from tests.faults.kinds_fixture import tiny_project

    tiny = tiny_project(tmp_path_factory, tmp_path / "copy")
    w, c = studio
    assert c.open_path(tiny.root)
    rv = w.render_view
    rv.run_combo.setCurrentIndex(rv.run_combo.findData(str(tiny.dinet)))
    rv.audio_edit.setText(str(tiny.wav))
    seen: list[tuple[str, str, int]] = []

    class Look(QObject):  # a QObject's method: runs on the GUI thread, after the panels' own slots
        @Slot(int, int, str)
        def look(self, step: int, total: int, message: str) -> None:
            bars = (rv.progress, w.job_panel.progress)
            seen.append((*(b.text() for b in bars), min(b.maximum() for b in bars)))

    looker = Look()
    rv.render_button.click()
    c.job.worker.progress.connect(looker.look)
    qtbot.waitUntil(lambda: c.job is None, timeout=120000)
    assert c.render.last_output is not None, answers.warnings
    assert seen, "the render reported no progress"
    assert seen[0][:2] == ("0%", "0%"), "the bars were busy indicators until the first frames were done"
    render_text, jobs_text, maximum = seen[-1]
    assert maximum > 0 and render_text == jobs_text == "100%", seen


def test_a_render_that_fails_at_once_leaves_the_jobs_bar_still(qtbot, studio, answers, tmp_path):
    """Was: a job that failed before reporting a total left the Jobs panel's bar in its busy animation
    under 'Failed', as if it still worked."""
    from tests.studio.gui.conftest import wait_idle

    w, c = studio
    project = create_project(tmp_path / "P")
    _finished(project, "face", "dinet")
    _finished(project, "voice", "audio2mouth")
    c.set_project(project)
    notes = tmp_path / "notes.txt"
    notes.write_text("not speech")
    w.render_view.audio_edit.setText(str(notes))
    w.render_view.render_button.click()
    wait_idle(qtbot, c)
    assert "notes.txt" in answers.warnings[-1][1]
    bar = w.job_panel.progress
    assert w.job_panel.title.text() == "Failed"
    assert bar.maximum() > 0 and bar.value() < bar.maximum()  # still and empty, not busy
