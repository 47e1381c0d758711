"""Draw the next training batch on a background thread while the current step trains.

A lip-sync batch is a pure function of its key (seed, step, rank, size), so the batch drawn
ahead is exactly the one the step would have drawn itself: prefetching changes when a batch
is built, never what it holds, and a resumed run stays identical. On the CPU the step runs on
the torch threads and the batch (crop gather, augmentation, memory layout) on one more core
when the machine has one free; with none free it costs about what drawing inline does.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class _Pending(Generic[K, V]):
    """One batch being built on a daemon thread (never holds the interpreter at exit)."""

    def __init__(self, key: K, make: Callable[[K], V]) -> None:
        self.key = key
        self._value: V | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(make,), name="batch-prefetch", daemon=True)
        self._thread.start()

    def _run(self, make: Callable[[K], V]) -> None:
        try:
            self._value = make(self.key)
        except BaseException as e:  # handed to the trainer's thread in `result`
            self._error = e

    def result(self) -> V:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]


class Prefetcher(Generic[K, V]):
    """`get(key, next_key)` returns `make(key)` (drawn ahead when it was announced as the
    previous call's `next_key`) and starts drawing `next_key`. Disabled, it calls `make` inline."""

    def __init__(self, make: Callable[[K], V], enabled: bool = True) -> None:
        self.make = make
        self.enabled = enabled
        self._pending: _Pending[K, V] | None = None

    def get(self, key: K, next_key: K | None = None) -> V:
        pending, self._pending = self._pending, None
        if pending is not None and pending.key == key:
            value = pending.result()
        else:
            if pending is not None:  # a stage change: wait, so two draws never overlap, and drop it
                pending.result()
            value = self.make(key)
        if self.enabled and next_key is not None:
            self._pending = _Pending(next_key, self.make)
        return value

    def close(self) -> None:
        """Wait for a batch still being drawn and drop it."""
        pending, self._pending = self._pending, None
        if pending is not None:
            with contextlib.suppress(Exception):  # a batch nobody will use
                pending.result()
