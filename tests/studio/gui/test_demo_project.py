"""The whole demo from the start page (slow): built in the background, then a Gaussian avatar render
through the kind registry and the demo's orbit video played in the studio."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from core.media.wav import write_wav
from core.synth.speech import SAMPLE_RATE, synthesize


@pytest.mark.slow
def test_open_the_demo_project_then_render_the_gaussian_avatar_and_play_the_orbit(
    qtbot, studio, answers, tmp_path
):
    w, c = studio
    c.start.demo_max_steps = 20
    w.start_view.demo_button.click()
    qtbot.waitUntil(lambda: c.project is not None, timeout=600000)
    assert not answers.warnings, answers.warnings
    kinds = sorted(r.kind for r in c.runs.runs.values())
    assert kinds == ["audio2mouth", "dinet", "gaussian"]
    assert w.media_view.cards["demo"].state.text() == "trained"

    rv = w.render_view
    rv.run_combo.setCurrentIndex(rv.run_combo.findText("Gaussian", flags=Qt.MatchFlag.MatchContains))
    speech = tmp_path / "speech.wav"
    write_wav(speech, synthesize(1.0, seed=2)[0], SAMPLE_RATE)
    rv.audio_edit.setText(str(speech))
    assert c.render.render()
    qtbot.waitUntil(lambda: c.job is None, timeout=300000)
    assert not answers.warnings, answers.warnings
    assert c.render.last_output is not None and c.render.last_output.is_file()

    orbit = next(
        rv.videos.item(i) for i in range(rv.videos.count()) if rv.videos.item(i).text().endswith("orbit.mp4")
    )
    rv.videos.itemClicked.emit(orbit)
    if rv.player.available:
        assert rv.player.player.source().toLocalFile().endswith("orbit.mp4")
        qtbot.waitUntil(lambda: rv.player.player.duration() > 0, timeout=10000)
