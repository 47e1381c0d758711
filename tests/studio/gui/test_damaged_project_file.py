"""The studio with a damaged project.toml: a dialog names the file, the problem and the fix, and
the file keeps its bytes (was: preparing, renaming or removing a clip wrote over it)."""

from __future__ import annotations

from studio.gui import dialogs
from studio.project import create_project
from tests.studio.gui.conftest import accept_next_message_box, wait_idle

REAL_WARN = dialogs.warn  # the conftest's `answers` replaces it; one test shows the real dialog
CORRUPT = b'schema_version = 1\nname = "My avatar\nclips = ["talk"]\n'  # an unclosed string


def _with_clip(qtbot, w, c, answers, tmp_path, clip):
    c.set_project(create_project(tmp_path / "P"))
    answers.files = [clip]
    w.action_import.trigger()
    wait_idle(qtbot, c)
    assert list(w.media_view.cards) == ["talk"]
    return c.project


def test_prepare_with_a_damaged_file_says_so_before_starting(qtbot, studio, answers, tmp_path, talking_clip):
    w, c = studio
    project = _with_clip(qtbot, w, c, answers, tmp_path, talking_clip)
    project.layout.project_file.write_bytes(CORRUPT)
    assert c.prepare.prepare(c.media.entries["talk"], 25.0, 128) is False
    assert c.job is None  # nothing started
    ((_, message),) = answers.warnings
    assert str(project.layout.project_file) in message
    assert "not valid TOML" in message and "by hand" in message
    assert project.layout.project_file.read_bytes() == CORRUPT


def test_a_file_damaged_during_prepare_is_not_written_over(qtbot, studio, answers, tmp_path, talking_clip):
    w, c = studio
    project = _with_clip(qtbot, w, c, answers, tmp_path, talking_clip)
    assert c.prepare.prepare(c.media.entries["talk"], 25.0, 128)
    project.layout.project_file.write_bytes(CORRUPT)  # edited by hand while the clip prepares
    wait_idle(qtbot, c, timeout=120000)
    assert c.prepare.last_result is not None and c.prepare.last_result.ok
    ((_, message),) = answers.warnings
    assert "Nothing was saved" in message and str(project.layout.project_file) in message
    assert project.layout.project_file.read_bytes() == CORRUPT
    assert (project.prepared_dir / "talk" / "manifest.json").is_file()  # the prepared clip is kept


def test_rename_and_remove_with_a_damaged_file_change_nothing(qtbot, studio, answers, tmp_path, talking_clip):
    w, c = studio
    project = _with_clip(qtbot, w, c, answers, tmp_path, talking_clip)
    body = b'schema_version = 1\nname = "A"\n\n[defaults]\ndevice = "gpu"\n'  # TOML, a bad value
    project.layout.project_file.write_bytes(body)
    answers.text, answers.ask = "interview", True
    w.media_view.cards["talk"].rename_button.click()
    w.media_view.cards["talk"].remove_button.click()
    assert [t for t, _ in answers.warnings] == ["Please check the input"] * 2
    for _, message in answers.warnings:
        assert "field 'defaults.device'" in message and "'cuda'" in message and "by hand" in message
    assert project.layout.project_file.read_bytes() == body
    assert [p.name for p in project.media_dir.iterdir()] == ["talk.mp4"]  # not renamed, not deleted
    assert list(w.media_view.cards) == ["talk"]


def test_opening_a_damaged_project_shows_the_real_dialog(qtbot, studio, answers, monkeypatch, tmp_path):
    """The message box a user sees: its title, and text naming the file, the problem and the fix."""
    _, c = studio
    root = create_project(tmp_path / "P").root
    (root / "project.toml").write_bytes(CORRUPT)
    monkeypatch.setattr(dialogs, "warn", REAL_WARN)
    seen = accept_next_message_box()
    assert c.open_path(root) is False
    ((title, text),) = seen
    assert title == "Cannot open project"
    assert str(root / "project.toml") in text and "not valid TOML" in text and "by hand" in text
    assert c.project is None and (root / "project.toml").read_bytes() == CORRUPT
