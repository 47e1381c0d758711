"""The console runner prints refine steps and shows the live status on its progress bar."""

from __future__ import annotations

import io

from core.jobs.job import Status
from studio.console_runner import ConsoleRunner
from tests.core.jobs.test_typed_events import REFINE, TypedEventsJob


def test_refine_steps_are_printed_and_live_status_labels_the_bar():
    stream = io.StringIO()
    result = ConsoleRunner(stream=stream).run(TypedEventsJob())
    text = stream.getvalue()
    assert result.status is Status.SUCCEEDED
    assert REFINE.describe() in text
    assert "24.5 fps | dropped 2" in text and "2/2" in text


def test_quiet_shows_neither():
    stream = io.StringIO()
    ConsoleRunner(stream=stream, quiet=True).run(TypedEventsJob())
    assert stream.getvalue() == ""
