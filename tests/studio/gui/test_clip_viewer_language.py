"""The clip viewer after a language switch: its facts line and frame readout are composed again in
the new language (they stayed 'N frames · … · face found in 100%' and 'frame 1 / N' in zh_CN)."""

from __future__ import annotations

import re

from PySide6.QtWidgets import QDialogButtonBox

from tests.core.lipsync.prepared_fixture import build_prepared_clip

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def test_switching_to_chinese_recomposes_the_clip_viewer_readouts(qtbot, full_studio, tmp_path):
    w, main, panels = full_studio
    build_prepared_clip(tmp_path / "proj", duration=1.0)
    assert main.open_path(tmp_path / "proj")
    w.tabs.setCurrentWidget(w.clip_viewer)
    view = w.clip_viewer
    qtbot.waitUntil(lambda: "face found" in view.info.text(), timeout=30_000)
    assert "sound timing not measured" in view.info.text()  # 1 s is too short to time the sound
    view.slider.setValue(3)  # the user scrubs to a frame
    assert view.frame_label.text().startswith("frame 4 /")

    d = panels.open_settings()  # File > Settings…, language: Simplified Chinese, OK
    d.language_combo.setCurrentIndex(d.language_combo.findData("zh_CN"))
    d.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    assert CHINESE.search(view.info.text()) and "frames" not in view.info.text(), view.info.text()
    assert "sound" not in view.info.text() and "未测量声画偏移" in view.info.text()
    assert CHINESE.search(view.frame_label.text()) and "frame" not in view.frame_label.text()
    assert " 4 / " in view.frame_label.text() and view.slider.value() == 3  # the same frame
