"""Garbage holding Qt objects is collected on the GUI thread, never on a worker (studio.gui.gui_gc)."""

from __future__ import annotations

import gc
import threading
import weakref

from PySide6.QtCore import QObject

from studio.gui.gui_gc import GuiThreadCollector


class _Node(QObject):
    pass


def _qt_cycle(threads: list[str]) -> None:
    """A QObject in a reference cycle: only the cyclic collector can free it."""
    node = _Node()
    node.me = node
    weakref.finalize(node, lambda: threads.append(threading.current_thread().name))


def test_a_worker_allocating_never_collects_qt_garbage(qtbot):
    threads: list[str] = []
    collector = GuiThreadCollector(interval_ms=20)
    try:
        assert not gc.isenabled()
        _qt_cycle(threads)

        def allocate() -> None:  # far past the first generation's threshold (700)
            junk = [[i] for i in range(200_000)]
            for item in junk:
                item.append(item)  # cycles: the collector would run here if it were automatic

        worker = threading.Thread(target=allocate, name="worker")
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
