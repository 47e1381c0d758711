"""Refine-step and live-status events: typed, frozen, collected in order, and described in one line."""

from __future__ import annotations

import dataclasses

import pytest

from core.jobs.collector import CollectingRunner
from core.jobs.context import JobContext
from core.jobs.events import LiveStatus, Progress, RefineStep, RegionRefine
from core.jobs.job import Job, Status

REGIONS = (RegionRefine("semantic regions", 50, 30, 2), RegionRefine("elsewhere", 10, 10, 8))
REFINE = RefineStep(
    300, gaussians_before=1000, gaussians_after=1090, cloned=60, split=40, pruned=10, regions=REGIONS
)
# seconds, fps, latency p50 / p95, rendered, dropped, underruns, overruns, queue depth
STATUS = LiveStatus(3.25, 24.5, 80.0, 120.4, 78, 2, 1, 0, 1)


class TypedEventsJob(Job):
    """Emits one refine step and one live status between two progress steps."""

    name = "typed"

    def run(self, ctx: JobContext) -> None:
        ctx.progress(1, 2)
        ctx.emit(REFINE)
        ctx.emit(STATUS)
        ctx.progress(2, 2)


def test_the_collector_keeps_typed_events_in_order():
    runner = CollectingRunner()
    assert runner.run(TypedEventsJob()).status is Status.SUCCEEDED
    assert [type(e) for e in runner.events] == [Progress, RefineStep, LiveStatus, Progress]
    assert runner.of_type(RefineStep) == [REFINE] and runner.of_type(LiveStatus) == [STATUS]


def test_events_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        REFINE.cloned = 1  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        STATUS.fps = 1.0  # type: ignore[misc]


def test_one_line_descriptions():
    assert REFINE.describe() == (
        "step 300: cloned 60, split 40, pruned 10 "
        "(semantic regions +80 -2; elsewhere +20 -8) -> 1090 Gaussians"
    )
    assert STATUS.describe() == (
        "   3.2s  24.5 fps | dropped 2 | e2e p50   80 p95  120 ms | queue 1 | underruns 1 overruns 0"
    )
