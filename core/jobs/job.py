"""The job abstraction and the one function every runner uses to execute a job."""

from __future__ import annotations

import enum
import logging
import traceback
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from core.jobs.context import EventSink, JobContext
from core.jobs.control import JobControl
from core.jobs.errors import BadInput, JobCancelled
from core.jobs.events import JobFailed
from core.jobs.message import Text

log = logging.getLogger(__name__)

R = TypeVar("R")


class Job(ABC):
    """A long piece of work (prepare, train, render, export...) that reports events.

    Subclasses implement `run`, calling `ctx.checkpoint()` between steps so cancel and
    pause take effect, and return a value (usually the output path).
    """

    name: str = "job"

    @abstractmethod
    def run(self, ctx: JobContext) -> Any: ...


class RequestJob(Job, Generic[R]):
    """A job that carries out one frozen request (`self.req`): render, evaluate, ..."""

    def __init__(self, request: R) -> None:
        self.req = request


class Status(enum.Enum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class JobResult:
    status: Status
    value: Any = None
    error: str = ""
    bad_input: bool = False

    @property
    def ok(self) -> bool:
        return self.status is Status.SUCCEEDED


def execute(job: Job, sink: EventSink, control: JobControl | None = None) -> JobResult:
    """Run `job` to completion; every exception becomes a result, never escapes.

    A sink that itself raises must not hide the job's outcome, so failures while
    reporting an error are logged and swallowed.
    """
    ctx = JobContext(sink, control)
    try:
        value = job.run(ctx)
    except (JobCancelled, KeyboardInterrupt):  # Ctrl-C reaching a job run on the main thread
        return JobResult(Status.CANCELLED)
    except BadInput as exc:
        _report(sink, JobFailed(str(exc), bad_input=True))
        return JobResult(Status.FAILED, error=str(exc), bad_input=True)
    except Exception as exc:
        message = failure_message(exc)
        _report(sink, JobFailed(message, traceback=traceback.format_exc()))
        return JobResult(Status.FAILED, error=message)
    return JobResult(Status.SUCCEEDED, value=value)


def failure_message(exc: Exception) -> str:
    """What a failed job's result says: bad input's own message, else the error's type and text
    (a `Text`, so an error raised with one, e.g. a microphone that stopped, is translated too)."""
    if isinstance(exc, BadInput):
        return str(exc)
    return Text("{error_type}: {error}", error_type=type(exc).__name__, error=str(exc))


def _report(sink: EventSink, event: JobFailed) -> None:
    try:
        sink(event)
    except Exception:
        log.exception("event sink failed while reporting a job error")
