"""The clip viewer's Sound timing… button: the user sets a prepared clip's offset, the facts line says
it, the manifest has it; a clip another job holds gets a dialog and keeps its timing."""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox

from core.face.prepared import PreparedClip
from core.io.claim import claimed
from tests.core.lipsync.prepared_fixture import build_prepared_clip


def _apply(qtbot, controller, mode, ms=None):
    dialog = controller.change_sync()
    assert dialog is not None and dialog.isVisible()
    dialog.choice.mode.setCurrentIndex(dialog.choice.mode.findData(mode))
    assert dialog.choice.ms.isEnabled() == (mode == "fixed")
    if ms is not None:
        dialog.choice.ms.setValue(ms)
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    return dialog


def test_the_user_sets_the_sound_timing_of_a_prepared_clip(qtbot, full_studio, tmp_path, answers):
    w, main, _ = full_studio
    clip = build_prepared_clip(tmp_path / "proj", duration=1.0)
    assert main.open_path(tmp_path / "proj")
    w.tabs.setCurrentWidget(w.clip_viewer)
    view = w.clip_viewer
    qtbot.waitUntil(lambda: "face found" in view.info.text(), timeout=30_000)
    assert view.sync_button.isEnabled() and "sound timing not measured" in view.info.text()
    controller = main.clip_viewer

    dialog = _apply(qtbot, controller, "fixed", 80)
    assert dialog.now.text() == "sound timing not measured"  # it said what the clip has now
    qtbot.waitUntil(lambda: "80 ms behind the picture" in view.info.text(), timeout=10_000)
    assert PreparedClip.load(clip).av_offset.offset_ms == 80.0

    _apply(qtbot, controller, "off")
    qtbot.waitUntil(lambda: "sound timing as in the file" in view.info.text(), timeout=10_000)

    with claimed(clip, "prepare", "prepare it"):  # another window prepares the clip again
        _apply(qtbot, controller, "fixed", -40)
        qtbot.waitUntil(lambda: bool(answers.warnings), timeout=10_000)
    title, message = answers.warnings[-1]
    assert title == "Please check the input" and "in use" in message and "prepare" in message
    assert PreparedClip.load(clip).av_offset.source == "off" and "as in the file" in view.info.text()
    qtbot.waitUntil(view.sync_button.isEnabled, timeout=5_000)
