import io

from core.jobs.job import Status
from studio.cli.common import exit_code
from studio.console_runner import ConsoleRunner
from tests.core.jobs.test_jobs import CountingJob, Exploding


def test_console_runner_shows_progress_rate_and_messages():
    stream = io.StringIO()
    result = ConsoleRunner(stream=stream).run(CountingJob(4))
    text = stream.getvalue()
    assert result.status is Status.SUCCEEDED and exit_code(result) == 0
    assert "counting" in text and "4/4" in text and "it/s" in text
    assert "wrote text out.txt" in text and "done" in text


def test_console_runner_reports_failure_and_exit_codes():
    from core.jobs.errors import BadInput

    stream = io.StringIO()
    result = ConsoleRunner(stream=stream).run(Exploding(RuntimeError("kaput")))
    assert "error: RuntimeError: kaput" in stream.getvalue() and exit_code(result) == 1
    assert exit_code(ConsoleRunner(stream=io.StringIO()).run(Exploding(BadInput("bad")))) == 2
