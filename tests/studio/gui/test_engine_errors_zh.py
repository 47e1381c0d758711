"""In zh_CN the engine's bad-input messages reach the user in Chinese, with the real paths in them.

Was: the dialog's title was Chinese ('请检查输入') but its text, the engine's `BadInput` message
('... is not a readable video, or it is truncated or corrupt ...'), was English, whichever route
it took: raised in a job on its worker thread (import, prepare, training...) or on the GUI thread
(opening a project). Both routes are driven here through the window as a user would.
"""

from __future__ import annotations

from studio.gui import dialogs
from studio.project import create_project
from tests.studio.gui.conftest import accept_next_message_box, wait_idle


def _chinese(panels) -> None:
    panels.apply_preferences(panels.prefs.__class__(language="zh_CN"))


def test_importing_a_corrupt_video_in_chinese_says_so_in_chinese_in_the_dialog_and_the_jobs_log(
    qtbot, full_studio, tmp_path, monkeypatch
):
    w, main, panels = full_studio
    main.set_project(create_project(tmp_path / "P"))
    _chinese(panels)
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"not really a video" * 50)
    monkeypatch.setattr(dialogs, "open_files", lambda *a: [broken])  # the file the user picks
    seen = accept_next_message_box()
    w.action_import.trigger()  # File > Import Video…: the import job probes it on its worker thread
    qtbot.waitUntil(lambda: bool(seen), timeout=20_000)
    wait_idle(qtbot, main)
    title, text = seen[0]
    assert title == "请检查输入"
    assert text.startswith(f"{broken} 不是可读取的视频，或者已被截断或损坏（"), text
    fix = "请给出完整的视频文件（mp4、mov、mkv、webm……）；如果它被截断了，请重新导出或重新下载。"
    assert text.endswith(f"）。{fix}"), text
    assert "is not a readable video" not in text
    log = w.job_panel.log.toPlainText()
    assert f"{broken} 不是可读取的视频" in log  # the reason stays in the Jobs log after the dialog
    assert not (tmp_path / "P" / "media" / "broken.mp4").exists()


def test_opening_a_damaged_project_in_chinese_names_the_file_and_the_fix_in_chinese(
    qtbot, full_studio, tmp_path, monkeypatch
):
    w, main, panels = full_studio
    _chinese(panels)
    root = create_project(tmp_path / "Damaged").root
    toml = root / "project.toml"
    toml.write_text("name = [unclosed\n", encoding="utf-8")
    monkeypatch.setattr(dialogs, "existing_folder", lambda *a: root)  # the folder the user picks
    seen = accept_next_message_box()
    w.action_open.trigger()  # File > Open Project…: read on the GUI thread
    qtbot.waitUntil(lambda: bool(seen), timeout=10_000)
    title, text = seen[0]
    assert title == "无法打开项目"
    assert text.startswith(f"{toml} 已损坏（不是有效的 TOML："), text
    assert text.endswith(f"）。请手动修复 {toml} 或从备份恢复，然后重试。"), text
    assert main.project is None or main.project.root != root
