"""The headless runner: runs a job in the calling thread and keeps every event in a list."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.jobs.control import JobControl
from core.jobs.events import Event
from core.jobs.job import Job, JobResult, execute


@dataclass
class CollectingRunner:
    events: list[Event] = field(default_factory=list)
    control: JobControl = field(default_factory=JobControl)

    def run(self, job: Job) -> JobResult:
        return execute(job, self.events.append, self.control)

    def of_type(self, kind: type) -> list:
        return [e for e in self.events if isinstance(e, kind)]
