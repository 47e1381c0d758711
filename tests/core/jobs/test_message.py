"""`Text`: the English message itself (CLI, logs, tests read it unchanged) that also keeps its template
and parameters, through `str(exc)`, job results and pickling, so the GUI can translate it."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from core.jobs.errors import BadInput
from core.jobs.events import JobFailed
from core.jobs.job import Job, Status, execute
from core.jobs.message import Text


def test_text_is_the_formatted_english_and_keeps_its_template_and_params():
    t = Text("{path} is {secs:.1f} s long; give {n!r} frames", path=Path("/a/b.mp4"), secs=2.345, n=3)
    assert t == "/a/b.mp4 is 2.3 s long; give 3 frames"
    assert isinstance(t, str)
    assert t.template == "{path} is {secs:.1f} s long; give {n!r} frames"
    assert t.params == {"path": Path("/a/b.mp4"), "secs": 2.345, "n": 3}
    assert Text("no {{braces}} here") == "no {braces} here"


def test_a_nested_phrase_is_a_text_of_its_own():
    inner = Text("at least {n} frames", n=3)
    outer = Text("the clip needs {need}.", need=inner)
    assert outer == "the clip needs at least 3 frames."
    assert outer.params["need"] is inner and inner.template == "at least {n} frames"


def test_str_of_a_bad_input_keeps_the_text_and_other_string_operations_give_plain_english():
    exc = BadInput(Text("{x} is wrong", x=1))
    message = str(exc)
    assert message == "1 is wrong" and message.template == "{x} is wrong"
    assert type(message + ".") is str and message + "." == "1 is wrong."
    assert type(f"error: {message}") is str
    assert str(BadInput("plain")) == "plain" and type(str(BadInput("plain"))) is str


def test_a_text_survives_pickling_with_its_template():
    t = Text("{a} and {b}", a=Text("x {y}", y=2), b=3)
    back = pickle.loads(pickle.dumps(BadInput(t))).args[0]
    assert back == "x 2 and 3" and back.template == "{a} and {b}"
    assert back.params["a"].template == "x {y}"


class _Refuses(Job):
    name = "refuses"

    def run(self, ctx):
        raise BadInput(Text("{path} has no video stream", path=Path("/tmp/a.wav")))


def test_a_job_failing_with_bad_input_reports_the_text_in_its_event_and_result():
    events = []
    result = execute(_Refuses(), events.append)
    assert result.status is Status.FAILED and result.bad_input
    assert result.error == "/tmp/a.wav has no video stream"
    assert result.error.template == "{path} has no video stream"
    (failed,) = [e for e in events if isinstance(e, JobFailed)]
    assert failed.message.template == "{path} has no video stream"


def test_a_missing_parameter_fails_at_the_raise_site_like_the_f_string_did():
    with pytest.raises(KeyError):
        Text("{missing}")


class _MicStops(Job):
    name = "mic"

    def run(self, ctx):
        raise RuntimeError(Text("audio input {name} stopped (device disconnected?)", name="mic:default"))


def test_any_other_failure_keeps_its_type_and_its_own_text_for_translation():
    result = execute(_MicStops(), lambda event: None)
    assert result.error == "RuntimeError: audio input mic:default stopped (device disconnected?)"
    assert result.error.template == "{error_type}: {error}" and not result.bad_input
    assert result.error.params["error"].template == "audio input {name} stopped (device disconnected?)"


def test_an_exception_parameter_is_kept_as_its_text_not_with_its_traceback():
    try:
        raise OSError(13, "Permission denied")
    except OSError as exc:
        t = Text("cannot write ({exc})", exc=exc)
    assert t == "cannot write ([Errno 13] Permission denied)"
    assert t.params["exc"] == "[Errno 13] Permission denied"
    assert not isinstance(t.params["exc"], BaseException)
