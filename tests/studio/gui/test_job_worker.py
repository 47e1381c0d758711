"""The Qt runner: typed events become signals, previews go into the newest-preview slot."""

from __future__ import annotations

import threading

import numpy as np

from core.jobs.context import JobContext
from core.jobs.job import Job, Status
from core.jobs.preview_slot import PreviewSlot
from studio.gui.job_worker import JobThread, JobWorker
from studio.gui.preview_poller import PreviewPoller
from tests.core.jobs.test_typed_events import REFINE, STATUS, TypedEventsJob


class ImagesJob(Job):
    """Many previews in a burst, like a fast trainer or the live engine."""

    name = "images"

    def run(self, ctx: JobContext) -> None:
        for i in range(200):
            ctx.preview("render", np.full((4, 4, 3), i % 256, np.uint8))
        ctx.preview("grid", np.zeros((2, 2, 3), np.uint8))


def test_typed_events_become_signals(qtbot):
    thread = JobThread(TypedEventsJob())
    refine, status = [], []
    thread.worker.refine.connect(refine.append)
    thread.worker.live_status.connect(status.append)
    with qtbot.waitSignal(thread.finished, timeout=5000):
        thread.start()
    qtbot.waitUntil(lambda: bool(refine and status), timeout=2000)
    assert refine == [REFINE] and status == [STATUS]
    assert thread.thread.wait(2000)


def test_previews_are_stored_not_signalled_and_the_poller_sees_only_the_newest(qtbot):
    assert not hasattr(JobWorker, "preview")  # no signal per image
    thread = JobThread(ImagesJob())
    with qtbot.waitSignal(thread.finished, timeout=5000) as blocker:
        thread.start()
    assert blocker.args[0].status is Status.SUCCEEDED and thread.thread.wait(2000)
    slot = thread.worker.previews
    assert slot.write_id == 201 and slot.names() == ["render", "grid"]
    poller = PreviewPoller(slot)
    got = []
    poller.changed.connect(lambda name, image: got.append((name, int(image[0, 0, 0]))))
    assert poller.poll() == 2
    assert got == [("render", 199), ("grid", 0)]  # the newest of 200 renders, once
    assert poller.poll() == 0 and len(got) == 2  # nothing new: the tick is skipped


def test_poller_timer_hands_on_new_images(qtbot):
    slot: PreviewSlot[np.ndarray] = PreviewSlot()
    poller = PreviewPoller(slot, interval_ms=5)
    poller.start()
    with qtbot.waitSignal(poller.changed, timeout=2000) as blocker:
        slot.put(np.ones((2, 2, 3), np.uint8), "live")
    assert blocker.args[0] == "live"
    poller.stop()


def test_a_finished_worker_lives_on_the_gui_thread_again(qtbot):
    """The garbage collector deletes worker wrappers on the GUI thread; a worker still bound to its
    ended QThread would be destroyed from the wrong thread (a random crash in long GUI sessions)."""
    import gc

    from PySide6.QtCore import QCoreApplication

    thread = JobThread(ImagesJob())
    with qtbot.waitSignal(thread.finished, timeout=5000):
        thread.start()
    assert thread.thread.wait(2000)
    assert thread.worker.thread() is QCoreApplication.instance().thread()
    thread.deleteLater()
    del thread
    gc.collect()  # what crashed: collecting the worker after its QThread was deleted


class EveryEventJob(Job):
    """One event of each kind that becomes a signal, then a failure (the `failed` signal)."""

    name = "every-event"

    def run(self, ctx: JobContext) -> None:
        ctx.progress(1, 2, "one")
        ctx.metric("loss", 1, 0.5)
        ctx.artifact("out.txt", "text")
        ctx.log("hello")
        ctx.emit(REFINE)
        ctx.emit(STATUS)
        raise RuntimeError("nope")


def test_every_signal_is_emitted_on_the_gui_thread_and_finished_after_the_thread_ended(qtbot):
    """A Python signal emitted on a job's thread can deadlock against the GUI thread (PySide6 holds
    the GIL in the emit, Qt's pooled signal-slot lock in the copy of its Python argument); the CI
    suite froze once that way. Plain functions as slots run on the emitting thread, so each records
    where its signal was emitted."""
    thread = JobThread(EveryEventJob())
    worker = thread.worker
    seen: list[tuple[str, str]] = []
    for name in ("progress", "metric", "artifact", "log", "refine", "live_status", "failed"):
        getattr(worker, name).connect(
            lambda *_args, name=name: seen.append((name, threading.current_thread().name))
        )
    ended_at_finish = []
    thread.finished.connect(lambda _result: ended_at_finish.append(thread.thread.isFinished()))
    with qtbot.waitSignal(thread.finished, timeout=5000) as blocker:
        thread.start()
    assert blocker.args[0].status is Status.FAILED and blocker.args[0].error == "RuntimeError: nope"
    assert seen == [
        (name, "MainThread")
        for name in ("progress", "metric", "artifact", "log", "refine", "live_status", "failed")
    ]
    assert ended_at_finish == [True]  # a slot of `finished` may delete the thread at once


def test_events_reach_the_gui_while_the_job_still_runs(qtbot):
    """Delivery is not saved up for the end: a training run's curve moves while it trains."""
    release = threading.Event()

    class Waiting(Job):
        name = "waiting"

        def run(self, ctx: JobContext) -> None:
            ctx.progress(1, 2, "half")
            release.wait(10)

    thread = JobThread(Waiting())
    steps = []
    thread.worker.progress.connect(lambda step, total, message: steps.append((step, total, message)))
    thread.start()
    try:
        qtbot.waitUntil(lambda: steps == [(1, 2, "half")], timeout=5000)
        assert thread.thread.isRunning()
    finally:
        release.set()
    with qtbot.waitSignal(thread.finished, timeout=5000):
        pass
