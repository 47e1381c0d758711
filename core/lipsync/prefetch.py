"""Draw the next training batch on a helper thread while the current step computes.

A batch is a pure function of its arguments (`LipSyncDataset.sample(batch, mouth, seed, index,
rank)`), so drawing it early changes nothing: a resumed or unprefetched run sees exactly the same
batches. Cropping, masking and augmenting a batch is about a fifth of a DINet mini step on the
CPU; on a second core (or in the gaps of the main thread's kernels) it overlaps the step instead
of preceding it. Whatever was drawn for other arguments is simply dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

T = TypeVar("T")
Key = tuple


class Prefetcher(Generic[T]):
    """`get(key)` returns `draw(*key)`, computed ahead when `ahead(key)` asked for it earlier
    (with `enabled` False, `ahead` does nothing and `get` draws in the caller's thread)."""

    def __init__(self, draw: Callable[..., T], enabled: bool = True) -> None:
        self._draw = draw
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="batch-prefetch")
        self._pending: dict[Key, Future[T]] = {}
        self.enabled = enabled

    def ahead(self, key: Key) -> None:
        if self.enabled and key not in self._pending:
            self._pending[key] = self._pool.submit(self._draw, *key)

    def get(self, key: Key) -> T:
        future = self._pending.pop(key, None)
        for stale in self._pending.values():  # asked for but never used (a stage boundary)
            stale.cancel()
        self._pending.clear()
        return future.result() if future is not None else self._draw(*key)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._pending.clear()
