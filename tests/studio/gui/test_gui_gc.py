"""Garbage holding Qt objects is collected on the GUI thread, never on a worker (studio.gui.gui_gc)."""

from __future__ import annotations

import gc
import threading
import weakref

from PySide6.QtCore import QObject

from core.jobs.context import JobContext
from core.jobs.job import Job
from studio.gui import gui_gc
from studio.gui.gui_gc import GuiThreadCollector
from studio.gui.job_worker import JobThread


class _Node(QObject):
    pass


def _qt_cycle(threads: list[str]) -> None:
    """A QObject in a reference cycle: only the cyclic collector can free it."""
    node = _Node()
    node.me = node
    weakref.finalize(node, lambda: threads.append(threading.current_thread().name))


def _allocate_cycles() -> None:
    """Far past the first generation's threshold (700): an automatic collection would run here."""
    junk = [[i] for i in range(200_000)]
    for item in junk:
        item.append(item)


class AllocatingJob(Job):
    """A job that allocates like a trainer loading a checkpoint (many tracked objects)."""

    name = "allocating"

    def __init__(self) -> None:
        self.collections_here: list[int] = []

    def run(self, ctx: JobContext) -> None:
        def seen(phase: str, info: dict) -> None:
            if phase == "start" and threading.current_thread() is not threading.main_thread():
                self.collections_here.append(info["generation"])

        gc.callbacks.append(seen)
        try:
            _allocate_cycles()
        finally:
            gc.callbacks.remove(seen)


def test_a_worker_allocating_never_collects_qt_garbage(qtbot):
    threads: list[str] = []
    collector = GuiThreadCollector(interval_ms=20)
    try:
        assert not gc.isenabled()
        _qt_cycle(threads)
        worker = threading.Thread(target=_allocate_cycles, name="worker")
        worker.start()
        worker.join()
        assert threads == [], "the cyclic garbage was collected on the worker thread"
        qtbot.waitUntil(lambda: bool(threads), timeout=10000)
        assert threads == ["MainThread"] and collector.collected > 0
    finally:
        collector.stop()
    assert gc.isenabled()


def test_the_studio_window_collects_on_its_thread_until_shut_down(studio):
    _window, controller = studio
    assert not gc.isenabled() and controller.collector.timer.isActive()
    controller.shutdown()
    assert gc.isenabled()


def test_a_job_thread_without_a_window_never_collects_on_its_thread(qtbot):
    """A panel's job (training, ablation, thumbnails) may run with no studio window holding
    collection off: a training panel resuming a checkpoint collected a previous window's QMenu on its
    job thread and deadlocked with the GUI thread (the thread sat in ~QObject waiting for the GIL,
    the GUI thread in ~QObject waiting for Qt's signal-slot lock)."""
    gui_gc.stop_all()
    qtbot.waitUntil(lambda: gui_gc.holds() == 0, timeout=10000)  # earlier tests' jobs have ended
    assert gc.isenabled()
    threads: list[str] = []
    _qt_cycle(threads)
    job = AllocatingJob()
    thread = JobThread(job)
    with qtbot.waitSignal(thread.finished, timeout=30000):
        thread.start()
        automatic_while_running = gc.isenabled()
    assert thread.thread.wait(5000)
    assert job.collections_here == [], "the collector ran on the job thread"
    assert threads == []  # not collected on the job thread
    assert not automatic_while_running
    # the thread has ended: automatic collection comes back on, and it frees the Qt garbage here
    qtbot.waitUntil(gc.isenabled, timeout=10000)
    assert gui_gc.holds() == 0
    gc.collect()
    assert threads == ["MainThread"]


def test_collection_stays_off_while_a_job_outlives_its_window(studio, qtbot):
    """Closing a window (its collector stops) while a background job still runs: automatic
    collection comes back only once that job's thread has ended."""
    _window, controller = studio
    qtbot.waitUntil(lambda: gui_gc.holds() == 1, timeout=10000)  # this window's only
    release = threading.Event()

    class Waiting(Job):
        name = "waiting"

        def run(self, ctx: JobContext) -> None:
            release.wait(10)

    thread = JobThread(Waiting())
    thread.start()
    controller.shutdown()
    assert not gc.isenabled() and gui_gc.holds() == 1
    gui_gc.stop_all()  # what the suite's conftest does after each test
    assert not gc.isenabled()
    with qtbot.waitSignal(thread.finished, timeout=10000):
        release.set()
    assert thread.thread.wait(5000)
    qtbot.waitUntil(gc.isenabled, timeout=10000)
    assert gui_gc.holds() == 0


def test_the_viewport_render_thread_holds_collection_off_until_shut_down(qtbot):
    from studio.gui.gaussian_viewport_controller import GaussianViewportController
    from ui.gaussian_viewport import GaussianViewport

    gui_gc.stop_all()
    qtbot.waitUntil(lambda: gui_gc.holds() == 0, timeout=10000)
    view = GaussianViewport()
    qtbot.addWidget(view)
    controller = GaussianViewportController(view)
    assert not gc.isenabled() and gui_gc.holds() == 1
    controller.shutdown()
    gui_gc.stop_all()
    assert gc.isenabled() and gui_gc.holds() == 0
