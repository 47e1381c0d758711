"""The background batch prefetcher: the same values as drawing inline, in order, errors surfaced."""

from __future__ import annotations

import threading

import pytest

from core.lipsync.batch_prefetch import Prefetcher


def test_prefetched_values_are_the_inline_ones_and_drawn_ahead_on_another_thread() -> None:
    threads: dict[int, str] = {}

    def make(key: int) -> int:
        threads[key] = threading.current_thread().name
        return key * key

    p = Prefetcher(make)
    got = [p.get(k, k + 1 if k < 4 else None) for k in range(5)]
    assert got == [0, 1, 4, 9, 16]
    assert threads[0] == threading.main_thread().name  # nothing was announced for the first key
    assert all(threads[k] == "batch-prefetch" for k in range(1, 5))
    p.close()


def test_an_unannounced_key_is_drawn_inline_and_the_stale_one_dropped() -> None:
    calls: list[int] = []
    p = Prefetcher(lambda k: calls.append(k) or -k)
    assert p.get(1, 2) == -1
    assert p.get(7, None) == -7  # a stage change: key 2 was drawn ahead, 7 is what is asked
    assert sorted(calls) == [1, 2, 7]


def test_disabled_draws_inline_only() -> None:
    calls: list[tuple[int, str]] = []
    p = Prefetcher(lambda k: calls.append((k, threading.current_thread().name)) or k, enabled=False)
    assert [p.get(k, k + 1) for k in range(3)] == [0, 1, 2]
    assert calls == [(k, threading.main_thread().name) for k in range(3)]


def test_an_error_while_drawing_ahead_is_raised_by_the_get_that_wanted_it() -> None:
    def make(key: int) -> int:
        if key == 1:
            raise ValueError("damaged clip")
        return key

    p = Prefetcher(make)
    assert p.get(0, 1) == 0
    with pytest.raises(ValueError, match="damaged clip"):
        p.get(1, 2)
