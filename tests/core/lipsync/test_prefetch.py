"""Batches drawn ahead are the batches the step would have drawn itself."""

from __future__ import annotations

import threading

from core.lipsync.prefetch import Prefetcher


def test_prefetched_values_equal_direct_draws_and_stale_ones_are_dropped() -> None:
    threads: list[str] = []

    def draw(a: int, b: int) -> tuple[int, int]:
        threads.append(threading.current_thread().name)
        return a, b * 10

    p = Prefetcher(draw)
    try:
        p.ahead((1, 2))
        assert p.get((1, 2)) == (1, 20)  # drawn on the helper thread
        p.ahead((1, 3))
        assert p.get((5, 6)) == (5, 60)  # another key: the stale (1, 3) is dropped, this one drawn now
        assert p.get((1, 3)) == (1, 30)
    finally:
        p.close()
    assert threads[0].startswith("batch-prefetch") and threads[-1] == threading.current_thread().name


def test_disabled_prefetcher_draws_in_the_callers_thread() -> None:
    names: list[str] = []
    p = Prefetcher(lambda k: names.append(threading.current_thread().name) or k, enabled=False)
    p.ahead((7,))
    assert p.get((7,)) == 7 and names == [threading.current_thread().name]
    p.close()
