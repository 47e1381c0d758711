"""The media panel: bad drops change nothing, rename/remove ask first, prepare can be cancelled cleanly."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QTimer

from core.media.mp4_writer import Mp4Writer
from studio.gui.media_library import ReadMediaJob
from studio.project import create_project
from tests.studio.gui.conftest import drop_files, wait_idle
from ui.prepare_view import PrepareDialog


def _open(c, tmp_path):
    c.set_project(create_project(tmp_path / "P"))
    return c.project


def test_a_corrupt_video_dropped_shows_a_dialog_and_changes_nothing(
    qtbot, studio, answers, tmp_path, talking_clip
):
    w, c = studio
    project = _open(c, tmp_path)
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40)
    drop_files(w, [talking_clip, bad])  # one good, one bad: neither is imported
    wait_idle(qtbot, c)
    assert len(answers.warnings) == 1
    title, message = answers.warnings[0]
    assert title == "Please check the input" and "broken.mp4" in message
    assert f"error: {message}" in w.job_panel.log.toPlainText()  # kept after the dialog is closed
    assert list(project.media_dir.iterdir()) == [] and w.media_view.cards == {}
    assert w.isVisible() and c.job is None  # the window stays usable


def test_a_speech_file_dropped_with_a_video_says_where_speech_goes_and_that_nothing_was_imported(
    qtbot, studio, answers, tmp_path, talking_clip
):
    """A creator selects a clip and the speech they want it to say: the dialog named only the wav as
    'not a video file', and the clip silently was not imported either."""
    from core.media.wav import write_wav

    w, c = studio
    project = _open(c, tmp_path)
    speech = tmp_path / "speech.wav"
    write_wav(speech, np.zeros(4800, np.float32), 48000)
    drop_files(w, [talking_clip, speech])
    wait_idle(qtbot, c)
    assert len(answers.warnings) == 1
    message = answers.warnings[0][1]
    assert "speech.wav" in message and "Render & Play" in message and "Live" in message
    assert "Nothing was imported" in message and talking_clip.name in message
    assert list(project.media_dir.iterdir()) == [] and w.media_view.cards == {}


def test_rename_and_remove_ask_first(qtbot, studio, answers, tmp_path, talking_clip):
    w, c = studio
    project = _open(c, tmp_path)
    answers.files = [talking_clip]
    w.action_import.trigger()
    wait_idle(qtbot, c)
    assert list(w.media_view.cards) == ["talk"]

    answers.text, answers.ask = "interview one", False
    w.media_view.cards["talk"].rename_button.click()
    assert list(w.media_view.cards) == ["talk"] and answers.questions  # declined: nothing renamed
    answers.ask = True
    w.media_view.cards["talk"].rename_button.click()
    assert list(w.media_view.cards) == ["interview_one"]
    assert (project.media_dir / "interview_one.mp4").is_file()

    answers.ask = False
    w.media_view.cards["interview_one"].remove_button.click()
    assert (project.media_dir / "interview_one.mp4").is_file()
    answers.ask = True
    w.media_view.cards["interview_one"].remove_button.click()
    assert w.media_view.cards == {} and list(project.media_dir.iterdir()) == []


def test_cancelling_prepare_leaves_no_clip_and_the_gui_keeps_running(
    qtbot, studio, answers, tmp_path, talking_clip, monkeypatch
):
    w, c = studio
    project = _open(c, tmp_path)
    drop_files(w, [talking_clip])
    wait_idle(qtbot, c)
    monkeypatch.setattr(PrepareDialog, "exec", lambda self: 1)
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start(20)
    w.media_view.cards["talk"].prepare_button.click()
    qtbot.waitUntil(lambda: c.prepare.view.progress.value() >= 10, timeout=30000)
    c.prepare.view.cancel_button.click()
    wait_idle(qtbot, c)
    timer.stop()
    assert c.prepare.last_result.status.value == "cancelled"
    assert "Cancelled" in c.prepare.view.heading.text()
    assert list(project.prepared_dir.iterdir()) == [], "a cancelled prepare left files behind"
    assert w.media_view.cards["talk"].state.text() == "imported" and not answers.warnings
    gaps = np.diff(ticks)
    # a shared 1-core box can pause any thread briefly; a blocked GUI thread stalls for seconds
    assert len(ticks) >= 3 and gaps.max() < 2.0 and np.percentile(gaps, 95) < 0.25, (
        f"GUI stalls: max {gaps.max():.2f} s"
    )


def _prepare_refused(qtbot, w, c, answers, monkeypatch, video: Path) -> str:
    """Drop `video`, click its card's Prepare, and return the one warning's text (its title checked)."""
    drop_files(w, [video])
    wait_idle(qtbot, c)
    monkeypatch.setattr(PrepareDialog, "exec", lambda self: 1)
    w.media_view.cards[video.stem].prepare_button.click()
    wait_idle(qtbot, c)
    assert len(answers.warnings) == 1 and answers.warnings[0][0] == "Please check the input"
    return answers.warnings[0][1]


def test_preparing_a_video_without_a_face_shows_the_reason_and_writes_no_clip(
    qtbot, studio, answers, tmp_path, monkeypatch
):
    from core.media.mp4_writer import Mp4Writer

    w, c = studio
    project = _open(c, tmp_path)
    empty_room = tmp_path / "empty_room.mp4"
    with Mp4Writer(empty_room, 256, 256, 25.0) as writer:
        for i in range(25):
            writer.write_frame(np.full((256, 256, 3), 60 + 4 * i, np.uint8))
    assert "face" in _prepare_refused(qtbot, w, c, answers, monkeypatch, empty_room).lower()
    # no clip, only the record of the failure (core.face.prepare_failure)
    assert [p.name for p in project.prepared_dir.rglob("*")] == ["empty_room", "prepare_failed.json"]
    assert "failed" in c.prepare.view.heading.text()
    assert w.media_view.cards["empty_room"].state.text() == "prepare failed"  # the reason is on the card too


def test_the_status_bar_is_replaced_when_the_next_job_ends(qtbot, studio, answers, tmp_path, talking_clip):
    w, c = studio
    project = _open(c, tmp_path)
    drop_files(w, [talking_clip])
    wait_idle(qtbot, c)
    assert w.status_label.text() == "Imported 1 video(s)"
    c.start_job(ReadMediaJob([project.media_dir / "talk.mp4"], 32))
    wait_idle(qtbot, c)
    assert w.status_label.text() == "Done: read media", "the last job's message stayed on"


def _faceless(path):
    """A second of grey noise: prepare finds no face in it."""
    rng = np.random.default_rng(0)
    with Mp4Writer(path, 128, 128, 25.0) as out:
        for _ in range(25):
            out.write_frame(rng.integers(100, 140, (128, 128, 3), dtype=np.uint8))
    return path


def test_a_failed_prepare_shows_on_the_card_and_a_retry_clears_it(
    qtbot, studio, answers, tmp_path, talking_clip, monkeypatch
):
    w, c = studio
    project = _open(c, tmp_path)
    faceless = _faceless(tmp_path / "wall.mp4")
    drop_files(w, [faceless])
    wait_idle(qtbot, c)
    monkeypatch.setattr(PrepareDialog, "exec", lambda self: 1)
    w.media_view.cards["wall"].prepare_button.click()
    wait_idle(qtbot, c)
    assert c.prepare.last_result.status.value == "failed"
    card = w.media_view.cards["wall"]
    assert card.state.text() == "prepare failed"
    assert card.reason.text().startswith("no face found") and len(card.reason.text()) <= 60
    assert card.reason.toolTip() == c.prepare.last_result.error  # the whole message
    assert not card.view_button.isEnabled()
    # the user replaces the video by a good one under the same name and prepares again
    (project.media_dir / "wall.mp4").write_bytes(talking_clip.read_bytes())
    w.media_view.cards["wall"].prepare_button.click()
    wait_idle(qtbot, c, timeout=120_000)
    assert c.prepare.last_result.ok, c.prepare.last_result.error
    card = w.media_view.cards["wall"]
    assert card.state.text() == "prepared" and card.reason.isHidden()
    assert card.view_button.isEnabled()
    assert not (project.layout.clip("wall") / "prepare_failed.json").exists()  # the record is cleared


def test_a_failed_prepare_is_still_on_the_card_after_a_restart(
    qtbot, studio, answers, tmp_path, talking_clip, monkeypatch
):
    """Was: the failure lived in memory only; after a restart the clip looked merely 'imported'. The
    prepare job records it in the project (prepared/<clip>/prepare_failed.json), so a restarted studio
    shows it. The clip is one frame long: prepare refuses it naming the minimum and the fix."""
    from PySide6.QtCore import QSettings

    from core.face.prepare_failure import read_failure
    from core.media import decode
    from core.train.holdout import min_clip_frames
    from studio.gui.main_controller import MainController
    from studio.gui.recent_projects import RecentProjects
    from ui.main_window import MainWindow

    w, c = studio
    project = _open(c, tmp_path)
    still = tmp_path / "still.mp4"
    frame = next(decode.iter_frames(talking_clip, 25.0, 1))  # BGR
    with Mp4Writer(still, frame.shape[1], frame.shape[0], 25.0) as writer:
        writer.write_frame(frame)
    message = _prepare_refused(qtbot, w, c, answers, monkeypatch, still)
    assert "1 frame" in message and f"at least {min_clip_frames()} frames" in message
    assert "longer video" in message
    assert w.media_view.cards["still"].state.text() == "prepare failed"
    assert read_failure(project.layout.clip("still")) == message
    assert not project.layout.is_prepared_clip("still")
    w.action_close_project.trigger()  # the first studio is done with it

    # the studio is started again and the project opened: the card still says why
    window = MainWindow()
    settings = QSettings(str(tmp_path / "restarted.ini"), QSettings.Format.IniFormat)
    again = MainController(window, RecentProjects(settings))
    try:
        window.show()
        assert again.open_path(project.root)
        card = window.media_view.cards["still"]
        assert card.state.text() == "prepare failed" and not card.reason.isHidden()
        assert card.reason.text().startswith("still.mp4 gives 1 frame") and card.reason.toolTip() == message
    finally:
        again.shutdown()
        window.close()


def test_preparing_a_trained_clip_again_says_its_runs_would_no_longer_match(studio, answers, tmp_path):
    """The command line refuses this without --force ("runs trained on it would no longer match their
    clip"); the window's question only said the old clip is replaced when the new one is complete."""
    import shutil

    from core.train.run_folder import RunFolder
    from studio.gui.media_library import ClipState, clip_entries

    _, main = studio
    project = create_project(tmp_path / "P")
    shutil.copyfile(Path(__file__), project.media_dir / "talk.mp4")  # never decoded: read=False below
    (project.prepared_dir / "talk").mkdir()
    (project.prepared_dir / "talk" / "manifest.json").write_text("{}")
    run = RunFolder(project.runs_dir / "r").create("dinet", {}, clips=["talk"])
    run.set_status("finished")
    main.set_project(project)
    entry = clip_entries(project, read=False)[0]
    assert entry.state is ClipState.TRAINED
    answers.ask = False
    assert not main.prepare.prepare(entry, fps=25.0, mouth_size=128)
    assert len(answers.questions) == 1 and "no longer match" in answers.questions[0]


def test_the_prepare_dialog_sets_a_fixed_sound_offset(
    qtbot, studio, answers, tmp_path, talking_clip, monkeypatch
):
    """A creator who knows their camera's sound runs 80 ms late picks "Fixed offset" and types it."""
    from core.face.prepared import PreparedClip

    w, c = studio
    project = _open(c, tmp_path)
    drop_files(w, [talking_clip])
    wait_idle(qtbot, c)
    seen: list[bool] = []

    def exec_(dialog: PrepareDialog) -> int:
        seen.append(dialog.sync_ms.isEnabled())  # the ms box waits for "Fixed offset"
        dialog.sync.setCurrentIndex(dialog.sync.findData("fixed"))
        seen.append(dialog.sync_ms.isEnabled())
        dialog.sync_ms.setValue(80)
        return 1

    monkeypatch.setattr(PrepareDialog, "exec", exec_)
    w.media_view.cards["talk"].prepare_button.click()
    wait_idle(qtbot, c)
    assert seen == [False, True] and not answers.warnings
    clip = PreparedClip.load(project.prepared_dir / "talk")
    assert clip.av_offset.source == "fixed" and clip.av_offset.applied
    assert clip.av_offset.offset_ms == 80.0
    assert "80 ms behind the picture" in c.prepare.view.summary.text()
