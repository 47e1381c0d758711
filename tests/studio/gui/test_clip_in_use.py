"""A clip that another studio window or a `dhstudio` command is preparing (or training on) cannot be
removed or renamed.

Was: the media panel refused removal only while a job of its own window ran; a second window (or a
terminal) deleted the clip's video and prepared folder under the running prepare. Now the prepare
claims the clip in the project (`core.io.claim`) and removal says which job holds it and what to do;
a claim left by a process that died blocks nothing.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile

import pytest
from PySide6.QtCore import QSettings

from core.io.claim import InUse, holder, marker_path, readers, reading, users
from studio.gui.main_controller import MainController
from studio.gui.media_library import clip_entries, remove_clip
from studio.gui.recent_projects import RecentProjects
from studio.project import create_project, open_project
from tests.core.lipsync.prepared_fixture import build_prepared_clip
from tests.faults.interrupt import _child, cli_argv, run_cli
from tests.studio.gui.conftest import wait_idle
from tests.studio.train_argv import train_argv
from ui.main_window import MainWindow
from ui.prepare_view import PrepareDialog


def _project_with_clip(qtbot, window, controller, answers, tmp_path, clip):
    root = create_project(tmp_path / "P").root
    assert controller.open_path(root)
    answers.files = [clip]
    window.action_import.trigger()  # File > Import Video…
    wait_idle(qtbot, controller)
    assert list(window.media_view.cards) == ["talk"]
    return root


def _second_window(qtbot, tmp_path, root):
    w = MainWindow()
    qtbot.addWidget(w)
    c = MainController(w, RecentProjects(QSettings(str(tmp_path / "b.ini"), QSettings.Format.IniFormat)))
    w.show()
    assert c.open_path(root)
    return w, c


def _start_paused_prepare(qtbot, window, controller, monkeypatch) -> None:
    """Prepare 'talk' from its card, then press the Jobs panel's Pause once it is tracking."""
    monkeypatch.setattr(PrepareDialog, "exec", lambda self: 1)  # the settings dialog's OK
    window.media_view.cards["talk"].prepare_button.click()
    qtbot.waitUntil(lambda: controller.prepare.view.progress.value() >= 3, timeout=60_000)
    window.job_panel.pause_button.click()
    assert controller.job is not None and controller.job.control.paused


def test_removing_a_clip_another_window_prepares_is_refused_until_the_prepare_is_done(
    qtbot, studio, answers, tmp_path, talking_clip, monkeypatch
):
    a, ca = studio
    root = _project_with_clip(qtbot, a, ca, answers, tmp_path, talking_clip)
    b, _ = _second_window(qtbot, tmp_path, root)
    try:
        _start_paused_prepare(qtbot, a, ca, monkeypatch)
        answers.ask, answers.text = True, "renamed"
        b.media_view.cards["talk"].remove_button.click()
        b.media_view.cards["talk"].rename_button.click()
        assert not answers.questions  # refused before asking to confirm
        assert [title for title, _ in answers.warnings] == ["Clip in use", "Clip in use"]
        removal, renaming = (text for _, text in answers.warnings)
        assert removal.startswith("'talk' is in use: its prepare is running in another studio window")
        assert f"(process {os.getpid()}, since " in removal
        assert "Wait for the prepare to finish or cancel it in the other window" in removal
        assert removal.endswith("then remove 'talk' again.")
        assert renaming.endswith("then rename 'talk' again.")
        assert (root / "media" / "talk.mp4").is_file() and list(b.media_view.cards) == ["talk"]

        a.job_panel.pause_button.click()  # resumed: the prepare finishes
        wait_idle(qtbot, ca, 120_000)
        assert ca.prepare.last_result.ok, ca.prepare.last_result.error
        assert not marker_path(root / "prepared" / "talk").exists()
        b.media_view.cards["talk"].remove_button.click()
        assert answers.questions and len(answers.warnings) == 2  # asked, and removed
        assert b.media_view.cards == {} and list((root / "media").iterdir()) == []
        assert list((root / "prepared").iterdir()) == []
    finally:
        b.close()


def test_a_dhstudio_prepare_of_the_clip_is_refused_while_a_window_prepares_it(
    qtbot, studio, answers, tmp_path, talking_clip, monkeypatch
):
    w, c = studio
    root = _project_with_clip(qtbot, w, c, answers, tmp_path, talking_clip)
    _start_paused_prepare(qtbot, w, c, monkeypatch)
    ended = run_cli(["prepare", str(root / "media" / "talk.mp4"), "--project", str(root), "--name", "talk"])
    assert ended.code == 2, ended.err[-2000:]
    assert "'talk' is in use: its prepare is running" in ended.err and f"(process {os.getpid()}," in ended.err
    assert "then prepare 'talk' again" in ended.err
    w.job_panel.pause_button.click()
    wait_idle(qtbot, c, 120_000)
    assert c.prepare.last_result.ok  # the refused command changed nothing of the window's prepare
    assert open_project(root).clips == ["talk"] and not answers.warnings


def test_a_dhstudio_prepare_holds_the_clip_and_its_crash_frees_it(
    qtbot, studio, answers, tmp_path, talking_clip
):
    """A real second process: `dhstudio prepare` of the clip, frozen mid-run (SIGSTOP), holds it; killed
    (SIGKILL, no cleanup), its marker is left behind and no longer blocks the removal."""
    w, c = studio
    root = _project_with_clip(qtbot, w, c, answers, tmp_path, talking_clip)
    marker = marker_path(root / "prepared" / "talk")
    argv = cli_argv("prepare", str(root / "media" / "talk.mp4"), "--project", str(root), "--name", "talk")
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err, **_child(0o022))
        try:
            qtbot.waitUntil(lambda: marker.exists() or proc.poll() is not None, timeout=120_000)
            os.kill(proc.pid, signal.SIGSTOP)  # the command, mid-prepare, holds the clip
            assert holder(root / "prepared" / "talk").pid == proc.pid, err.seek(0) or err.read()
            answers.ask = True
            w.media_view.cards["talk"].remove_button.click()
            assert len(answers.warnings) == 1 and f"(process {proc.pid}, since " in answers.warnings[0][1]
            assert not answers.questions and (root / "media" / "talk.mp4").is_file()
        finally:
            os.kill(proc.pid, signal.SIGKILL)  # a crash: nothing of the command's cleanup runs
            proc.wait()
    assert marker.is_file()  # stale now
    w.media_view.cards["talk"].remove_button.click()
    assert len(answers.warnings) == 1 and answers.questions
    assert w.media_view.cards == {} and list((root / "media").iterdir()) == []
    assert [p.name for p in (root / "prepared").iterdir() if not p.name.endswith(".partial")] == []


def test_a_clip_a_dhstudio_training_reads_is_neither_replaced_nor_removed(
    qtbot, studio, answers, tmp_path, repo_root
):
    """A real `dhstudio train` (tiny audio-to-mouth, CPU) holds its clip for reading, frozen mid-run
    (SIGSTOP): `dhstudio prepare --force` of the clip exits 2 and the media panel's remove is refused,
    both naming the training and its process; the clip is untouched. Killed, it frees the clip."""
    w, c = studio
    root = tmp_path / "P"
    clip = build_prepared_clip(root)  # PROJECT/prepared/tiny, its video in PROJECT/media/tiny.mp4
    files = {p.name: p.read_bytes() for p in clip.iterdir()}
    assert c.open_path(root) and list(w.media_view.cards) == ["tiny"]
    small = ("model.input_hidden=32", "model.lstm_hidden=32", "model.mlp_hidden=16", "train.batch=4")
    job = repo_root / "training_jobs" / "audio2mouth.toml"
    argv = cli_argv(*train_argv(job, root, "held", 100_000, *small))
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err, **_child(0o022))
        try:
            qtbot.waitUntil(lambda: bool(readers(clip)) or proc.poll() is not None, timeout=120_000)
            os.kill(proc.pid, signal.SIGSTOP)  # the training, mid-run, reads the clip
            held = [(r.job, r.pid) for r in readers(clip)]
            assert held == [("training", proc.pid)], err.seek(0) or err.read()

            video = root / "media" / "tiny.mp4"
            ended = run_cli(["prepare", str(video), "--project", str(root), "--name", "tiny", "--force"])
            assert ended.code == 2, ended.err[-2000:]
            assert (
                "error: 'tiny' is in use: its training is running in another studio window or a `dhstudio` "
                f"command (process {proc.pid}, since "
            ) in ended.err
            assert "then prepare 'tiny' again." in ended.err

            answers.ask = True
            w.media_view.cards["tiny"].remove_button.click()
            assert not answers.questions  # refused before asking to confirm
            ((title, text),) = answers.warnings
            assert title == "Clip in use"
            assert text.startswith("'tiny' is in use: its training is running in another studio window")
            assert f"(process {proc.pid}, since " in text and "Wait for the training to finish" in text
            assert text.endswith("then remove 'tiny' again.")
            entry = next(e for e in clip_entries(open_project(root), read=False) if e.name == "tiny")
            with pytest.raises(InUse, match=f"its training is running .*process {proc.pid},"):
                remove_clip(open_project(root), entry)  # the removal itself, had the panel not asked first

            assert {p.name: p.read_bytes() for p in clip.iterdir()} == files  # the clip is untouched
            assert video.is_file() and list(w.media_view.cards) == ["tiny"]
        finally:
            os.kill(proc.pid, signal.SIGKILL)  # a crash: its reader marker stays behind, stale
            proc.wait()
    w.media_view.cards["tiny"].remove_button.click()
    assert answers.questions and len(answers.warnings) == 1  # asked, and removed
    assert w.media_view.cards == {} and not clip.exists()
    assert [p.name for p in (root / "prepared").iterdir()] == []  # the stale marker went too


def test_the_dialog_names_every_job_reading_the_clip_in_the_interface_language(qapp, tmp_path):
    """Two readers (a training and a live session): both named, with their processes; in zh_CN too."""
    from studio.gui import i18n
    from studio.gui.media_controller import in_use_text

    folder = tmp_path / "prepared" / "talk"
    folder.mkdir(parents=True)
    with reading(folder, "training", "start the training"), reading(folder, "live session", "go live"):
        claims = users(folder)
        english = in_use_text(folder, claims, "remove '{clip}'")
        assert i18n.set_language(qapp, "zh_CN")
        try:
            chinese = in_use_text(folder, claims, "remove '{clip}'")
        finally:
            i18n.set_language(qapp, "en")
    assert english.startswith("'talk' is in use: its training is running in another studio window")
    assert "; its live session is running in another studio window" in english
    assert english.count(f"(process {os.getpid()}, since ") == 2
    assert english.endswith(
        "Wait for these jobs to finish or cancel them in the other windows (Ctrl+C for a "
        "`dhstudio` command), then remove 'talk' again."
    )
    assert chinese.startswith("“talk”正在使用中：另一个工作室窗口或 `dhstudio` 命令正在对它进行训练")
    assert "进行实时驱动" in chinese and chinese.endswith("然后再次移除“talk”。")
    assert "；另一个工作室窗口" in chinese and "; " not in chinese  # a full-width list separator
