"""A creator's path through the studio, clicked as a user would: new project -> drop a clip ->
prepare (live preview, summary) -> clip viewer scrub -> a training run from the CLI -> runs panel ->
render with an audio file -> the player loads it."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt, QTimer

from core.media.wav import write_wav
from core.synth.speech import SAMPLE_RATE, synthesize
from studio.cli.main import main as cli
from tests.studio.gui.conftest import drop_files, wait_idle
from ui.prepare_view import PrepareDialog

JOBS = Path(__file__).resolve().parents[3] / "training_jobs"


def _prepare_with_mouth_64(monkeypatch) -> None:
    """The Prepare dialog, answered: 25 fps, mouth 64 px (small, so training is quick)."""

    def exec_(dialog: PrepareDialog) -> int:
        dialog.mouth_size.setCurrentIndex(dialog.mouth_size.findData(64))
        return 1

    monkeypatch.setattr(PrepareDialog, "exec", exec_)


def test_new_project_to_playing_a_render(qtbot, studio, answers, talking_clip, tmp_path, monkeypatch):
    w, c = studio
    answers.folder = tmp_path / "MyAvatar"
    qtbot.mouseClick(w.start_view.new_button, Qt.MouseButton.LeftButton)
    assert c.project is not None and "MyAvatar" in w.windowTitle()
    assert w.stack.currentWidget() is w.tabs

    drop_files(w, [talking_clip])
    wait_idle(qtbot, c)
    card = w.media_view.cards["talk"]
    assert (
        card.state.text() == "imported"
        and "256×256" in card.details.text()
        and "with audio" in card.details.text()
    )
    assert not answers.warnings

    _prepare_with_mouth_64(monkeypatch)
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start(20)
    card.prepare_button.click()
    assert c.job is not None
    wait_idle(qtbot, c)
    timer.stop()
    view = c.prepare.view
    assert c.prepare.last_result.ok, c.prepare.last_result.error
    assert c.prepare.poller.shown >= 1 and view.preview.has_image(), "the live tracking preview never updated"
    assert "60</b> frames" in view.summary.text() and "face found in <b>100.0%" in view.summary.text()
    assert "frames/s" in view.rate.text()
    assert w.media_view.cards["talk"].state.text() == "prepared"
    gaps = np.diff(ticks)
    # a shared 1-core box can pause any thread briefly; a blocked GUI thread stalls for seconds
    assert len(ticks) > 20 and gaps.max() < 2.0 and np.percentile(gaps, 95) < 0.25, (
        f"GUI stalls: max {gaps.max():.2f} s"
    )

    view.viewer_button.click()
    assert w.tabs.currentWidget() is w.clip_viewer
    qtbot.waitUntil(lambda: c.clip_viewer.cache is not None, timeout=20000)
    assert w.clip_viewer.slider.maximum() == 59
    w.clip_viewer.slider.setValue(42)
    assert c.clip_viewer.shown_index == 42 and w.clip_viewer.frame_label.text().startswith("frame 43 / 60")
    before = w.clip_viewer.image._pixmap.toImage()
    w.clip_viewer.toggles["mouth"].setChecked(True)
    assert w.clip_viewer.image._pixmap.toImage() != before, "the mouth region mask changed nothing"

    root = str(c.project.root)
    a2m = [
        "--set",
        "model.input_hidden=32",
        "--set",
        "model.lstm_hidden=32",
        "--set",
        "model.mlp_hidden=16",
        "--set",
        "model.lstm_layers=1",
        "--set",
        "train.batch=2",
        "--set",
        "train.window=8",
        "--set",
        "train.epoch_steps=3",
    ]
    assert (
        cli(
            [
                "train",
                str(JOBS / "audio2mouth.toml"),
                "--project",
                root,
                "--max-steps",
                "3",
                "--device",
                "cpu",
                "--run-name",
                "voice",
                "--quiet",
                *a2m,
            ]
        )
        == 0
    )
    assert (
        cli(
            [
                "train",
                str(JOBS / "dinet_mini.toml"),
                "--project",
                root,
                "--max-steps",
                "3",
                "--device",
                "cpu",
                "--run-name",
                "face",
                "--quiet",
                "--set",
                "train.batch_size=2",
            ]
        )
        == 0
    )

    w.tabs.setCurrentWidget(w.runs_view)
    w.runs_view.refresh_button.click()
    names = [w.runs_view.table.item(r, 0).text() for r in range(w.runs_view.table.rowCount())]
    assert sorted(names) == ["face", "voice"]
    c.runs.select(["face"])
    assert w.runs_view.open_button.isEnabled() and c.runs.curves, "the selected run's curve was not plotted"
    c.media.refresh()
    assert w.media_view.cards["talk"].state.text() == "trained"

    speech = tmp_path / "speech.wav"
    audio, _ = synthesize(1.2, seed=5)
    write_wav(speech, audio, SAMPLE_RATE)
    c.render.refresh()
    rv = w.render_view
    rv.run_combo.setCurrentIndex(rv.run_combo.findText("face", flags=Qt.MatchFlag.MatchContains))
    assert rv.audio_model_combo.currentText() == "voice"
    rv.audio_edit.setText(str(speech))
    rv.render_button.click()
    wait_idle(qtbot, c)
    assert not answers.warnings, answers.warnings
    out = c.render.last_output
    assert out is not None and out.is_file() and out.parent == c.project.exports_dir / "renders"
    player = rv.player
    if not player.available:
        pytest.skip("QtMultimedia is not installed: the render is checked, playback is not")
    from PySide6.QtMultimedia import QMediaPlayer

    assert player.player.source().toLocalFile() == str(out)
    qtbot.waitUntil(lambda: player.player.duration() > 1000, timeout=10000)
    player.play_button.click()
    qtbot.waitUntil(lambda: player.frames_shown > 0, timeout=10000)
    assert player.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState
    player.toggle()
