import threading
import time

import numpy as np
import pytest

from core.jobs.collector import CollectingRunner
from core.jobs.context import JobContext
from core.jobs.control import JobControl
from core.jobs.errors import BadInput
from core.jobs.events import Artifact, JobFailed, LogLine, Metric, Preview, Progress
from core.jobs.job import Job, Status, execute


class CountingJob(Job):
    name = "count"

    def __init__(
        self, steps: int = 5, started: threading.Event | None = None, gate: threading.Event | None = None
    ):
        self.steps = steps
        self.started = started
        self.gate = gate
        self.done_steps = 0

    def run(self, ctx: JobContext) -> int:
        for i in range(self.steps):
            ctx.checkpoint()
            if self.started is not None and i == 1:
                self.started.set()
                if self.gate is not None:
                    self.gate.wait(5)
            ctx.progress(i + 1, self.steps, "counting")
            ctx.metric("loss", i, 1.0 / (i + 1))
            self.done_steps += 1
        ctx.preview("grid", np.zeros((4, 4, 3), np.uint8))
        ctx.artifact("out.txt", "text")
        ctx.log("done")
        return self.done_steps


def test_collector_receives_every_event_type_in_order():
    runner = CollectingRunner()
    result = runner.run(CountingJob(3))
    assert result.status is Status.SUCCEEDED and result.value == 3
    kinds = [type(e) for e in runner.events]
    assert kinds == [Progress, Metric] * 3 + [Preview, Artifact, LogLine]
    assert [e.step for e in runner.of_type(Progress)] == [1, 2, 3]
    assert runner.of_type(Metric)[-1].value == pytest.approx(1 / 3)


def test_cancel_stops_between_steps():
    control = JobControl()
    started, gate = threading.Event(), threading.Event()
    job = CountingJob(100, started, gate)
    out = []
    t = threading.Thread(target=lambda: out.append(execute(job, lambda e: None, control)))
    t.start()
    assert started.wait(5)
    control.cancel()
    gate.set()
    t.join(5)
    assert out[0].status is Status.CANCELLED
    assert job.done_steps == 2  # the step in flight finishes, the next checkpoint stops it


def test_pause_blocks_until_resume_and_cancel_wakes_a_paused_job():
    control = JobControl()
    control.pause()
    job = CountingJob(3)
    out = []
    t = threading.Thread(target=lambda: out.append(execute(job, lambda e: None, control)))
    t.start()
    time.sleep(0.2)
    assert job.done_steps == 0 and t.is_alive()
    control.resume()
    t.join(5)
    assert out[0].status is Status.SUCCEEDED and job.done_steps == 3

    control2 = JobControl()
    control2.pause()
    out2 = []
    t2 = threading.Thread(target=lambda: out2.append(execute(CountingJob(3), lambda e: None, control2)))
    t2.start()
    control2.cancel()
    t2.join(5)
    assert not t2.is_alive() and out2[0].status is Status.CANCELLED


class Exploding(Job):
    def __init__(self, exc: Exception):
        self.exc = exc

    def run(self, ctx):
        ctx.progress(1, 2)
        raise self.exc


def test_a_job_that_raises_reports_a_clean_error_event():
    runner = CollectingRunner()
    result = runner.run(Exploding(ZeroDivisionError("boom")))
    assert result.status is Status.FAILED and not result.bad_input
    failed = runner.of_type(JobFailed)
    assert len(failed) == 1 and "ZeroDivisionError: boom" in failed[0].message
    assert "Traceback" in failed[0].traceback


def test_bad_input_is_flagged_without_traceback():
    runner = CollectingRunner()
    result = runner.run(Exploding(BadInput("file x.mp4 not found")))
    assert result.bad_input and result.error == "file x.mp4 not found"
    assert runner.of_type(JobFailed)[0].traceback == ""


def test_a_sink_that_raises_does_not_hang_or_hide_the_outcome():
    def sink(event):
        raise RuntimeError("sink broke")

    result = execute(Exploding(ValueError("x")), sink)
    assert result.status is Status.FAILED
