"""The studio's questions in Simplified Chinese: removing a clip and closing with a job running asked
in English over a Chinese window (composed with f-strings, not through the catalogue)."""

from __future__ import annotations

import re
import threading

from studio.gui import i18n
from studio.project import create_project
from tests.core.jobs.test_jobs import CountingJob
from tests.studio.gui.conftest import wait_idle

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def test_remove_and_close_ask_in_chinese(qtbot, qapp, studio, answers, tmp_path, talking_clip):
    w, c = studio
    c.set_project(create_project(tmp_path / "P"))
    answers.files = [talking_clip]
    w.action_import.trigger()
    wait_idle(qtbot, c)
    assert i18n.set_language(qapp, "zh_CN")
    try:
        i18n.retranslate(w)
        answers.ask = False
        w.media_view.cards["talk"].remove_button.click()
        started, gate = threading.Event(), threading.Event()
        c.start_job(CountingJob(50, started, gate))
        assert started.wait(5)
        w.close()
        gate.set()
        wait_idle(qtbot, c)
        remove, close = answers.questions
        assert CHINESE.search(remove) and "talk.mp4" in remove and "Remove" not in remove, remove
        assert CHINESE.search(close) and "still running" not in close, close
    finally:
        i18n.set_language(qapp, "en")
        i18n.retranslate(w)
