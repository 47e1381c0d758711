"""Message boxes in the interface language: in zh_CN a bad import's warning had the English title
'Please check the input' over the window's Chinese (the titles never went through the catalogue)."""

from __future__ import annotations

import re

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from studio.gui import dialogs
from studio.project import create_project
from tests.studio.gui.conftest import accept_next_message_box


def test_a_bad_import_in_chinese_shows_a_chinese_title(qtbot, full_studio, tmp_path, monkeypatch):
    w, main, panels = full_studio
    main.set_project(create_project(tmp_path / "P"))
    panels.apply_preferences(panels.prefs.__class__(language="zh_CN"))
    notes = tmp_path / "notes.txt"
    notes.write_text("not a video")
    monkeypatch.setattr(dialogs, "open_files", lambda *a: [notes])  # the file the user picks
    seen = accept_next_message_box()
    w.action_import.trigger()  # File > Import Video…
    qtbot.waitUntil(lambda: bool(seen), timeout=10_000)
    title, text = seen[0]
    assert title == "请检查输入", title
    assert "notes.txt" in text


def test_the_doctor_in_chinese_has_a_chinese_close_and_details_without_sideways_scrolling(
    qtbot, full_studio, tmp_path
):
    """Was: its Close button stayed English (Qt's own '&Close'), and each detail ran off to the right
    behind a horizontal scroll bar."""
    w, main, panels = full_studio
    panels.apply_preferences(panels.prefs.__class__(language="zh_CN"))
    qtbot.wait(100)  # Qt's own language-change events, delivered before the user's next click
    w.action_doctor.trigger()  # Help > Doctor
    dialog = main.doctor_dialog
    qtbot.waitUntil(lambda: dialog.table.rowCount() > 3 and main.job is None, timeout=120_000)
    close = [b for b in dialog.findChildren(QPushButton) if b.isVisible()]
    assert [b.text() for b in close] == ["关闭"]
    assert dialog.table.horizontalScrollBar().maximum() == 0
    dialog.close()


def test_a_question_in_chinese_has_chinese_yes_and_no(qtbot, full_studio, tmp_path):
    """Was: '… 仍在运行。要取消它并关闭工作室吗？' with Qt's own English '&Yes' and '&No' under it (Qt's
    catalogue for the language was never installed)."""
    import threading

    from tests.core.jobs.test_jobs import CountingJob

    w, main, panels = full_studio
    started, gate = threading.Event(), threading.Event()
    try:
        panels.apply_preferences(panels.prefs.__class__(language="zh_CN"))
        qtbot.wait(100)
        main.start_job(CountingJob(50, started, gate))
        assert started.wait(5)
        seen: list[list[str]] = []

        def read_and_answer_no() -> None:
            box = QApplication.activeModalWidget()
            if not isinstance(box, QMessageBox):
                QTimer.singleShot(50, read_and_answer_no)
                return
            seen.append([b.text() for b in box.buttons()])
            box.button(QMessageBox.StandardButton.No).click()

        QTimer.singleShot(50, read_and_answer_no)
        w.close()
        assert w.isVisible() and seen, seen  # "No": the window stays
        assert all(re.search(r"[\u4e00-\u9fff]", text) for text in seen[0]), seen
    finally:
        gate.set()
        qtbot.waitUntil(lambda: main.job is None, timeout=10_000)


def test_the_prepare_dialog_in_chinese(qtbot, full_studio, tmp_path, talking_clip, monkeypatch):
    """Was: the Prepare dialog (frame rate, mouth size) stayed English in a Chinese window."""
    from PySide6.QtWidgets import QLabel

    from tests.studio.gui.conftest import drop_files, wait_idle
    from ui.prepare_view import PrepareDialog

    w, main, panels = full_studio
    main.set_project(create_project(tmp_path / "P"))
    panels.apply_preferences(panels.prefs.__class__(language="zh_CN"))
    drop_files(w, [talking_clip])
    wait_idle(qtbot, main)
    seen: dict[str, object] = {}

    def exec_(dialog: PrepareDialog) -> int:
        seen["title"] = dialog.windowTitle()
        seen["labels"] = {lab.text() for lab in dialog.findChildren(QLabel)}
        seen["sync"] = [dialog.sync.itemText(i) for i in range(dialog.sync.count())]
        seen["tip"] = dialog.sync_ms.toolTip()
        return 0  # the user looks, then cancels

    monkeypatch.setattr(PrepareDialog, "exec", exec_)
    w.media_view.cards["talk"].prepare_button.click()
    assert seen["title"] == "预处理“talk”"
    assert {"帧率：", "嘴部尺寸：", "音画同步："} <= seen["labels"]
    assert seen["sync"] == ["测量并校正", "保持文件原有时间", "固定偏移"]
    assert "声音落后于画面" in seen["tip"]
    assert not main.project.prepared_dir.exists() or not any(main.project.prepared_dir.iterdir())


def test_help_about_in_chinese(qtbot, full_studio):
    """Was: Help > About showed its English title and sentence over the Chinese window."""
    w, _main, panels = full_studio
    panels.apply_preferences(panels.prefs.__class__(language="zh_CN"))
    seen = accept_next_message_box()
    w.action_about.trigger()
    qtbot.waitUntil(lambda: bool(seen), timeout=10_000)
    title, text = seen[0]
    assert title == "关于数字人工作室"
    assert "从说话人视频训练唇形同步数字人和高斯头部数字人" in text and "Digital Human Studio" in text
