"""The C heap during CPU training: freed tensor memory is kept for the next step, not returned.

Why: glibc serves a large allocation with its own `mmap` and unmaps it on free (above its mmap
threshold: 128 KiB at start, adapting upwards only after frees), and gives the heap's top back
to the kernel past its trim threshold. A CPU training step allocates and frees the same
activations every step, so each step the kernel maps them in again, page by page, and zeroes
them: DINet mini at mouth 64 (batch 8) took ~7,500 minor page faults and ~16 ms of system time
per ~100 ms step, none with the thresholds raised.

:func:`retained_heap` raises both thresholds for the duration of a run (glibc only; elsewhere
it does nothing) and, when the last run holding it ends, lowers them again and
returns the free memory to the kernel (`malloc_trim`), so a long-lived process (the GUI) does
not keep a finished run's peak; afterwards the thresholds stay at glibc's ceilings for its adaptive
values (glibc cannot switch adapting back on). What it costs: while a run trains, the process keeps its peak
heap instead of handing freed memory back.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import platform
import threading
from collections.abc import Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)

# mallopt parameters (malloc.h)
M_TRIM_THRESHOLD = -1
M_TOP_PAD = -2
M_MMAP_THRESHOLD = -3
# Allocations up to this size come from the heap (glibc's ceiling for the threshold on 64-bit:
# larger values are refused); bigger ones are still mapped per allocation.
MMAP_THRESHOLD = 32 * 1024 * 1024
TRIM_THRESHOLD = 1024 * 1024 * 1024  # free heap top kept while a run holds the heap
# Slack kept when a heap shrinks: a thread's own arena (the GUI trains on a QThread) is a chain
# of 64 MiB heaps, and an emptied one is unmapped unless this much would stay (5x fewer faults)
TOP_PAD = 64 * 1024 * 1024
# After the last run: glibc's own ceilings for its adaptive thresholds (its start values, 128 KiB,
# can no longer adapt once set, and mapped every activation afresh: twice the faults of a new process)
AFTER = (32 * 1024 * 1024, 64 * 1024 * 1024, 128 * 1024)  # top pad: glibc's default

_lock = threading.Lock()
_holders = 0
_took = False  # whether glibc accepted the thresholds for the current holders


def _libc() -> ctypes.CDLL | None:
    """glibc, or None (musl, macOS, Windows: no mallopt with these meanings)."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None


def _set(libc: ctypes.CDLL, mmap_threshold: int, trim_threshold: int, top_pad: int) -> bool:
    settings = ((M_MMAP_THRESHOLD, mmap_threshold), (M_TRIM_THRESHOLD, trim_threshold), (M_TOP_PAD, top_pad))
    return all([bool(libc.mallopt(param, value)) for param, value in settings])


@contextmanager
def retained_heap() -> Iterator[bool]:
    """Keep freed memory in the heap while the block runs (nestable, thread-safe); yields
    whether the setting took effect."""
    global _holders, _took
    libc = _libc()
    if libc is None:
        yield False
        return
    with _lock:
        _holders += 1
        if _holders == 1:
            _took = _set(libc, MMAP_THRESHOLD, TRIM_THRESHOLD, TOP_PAD)
        ok = _took
    if not ok:
        log.info("glibc refused the heap thresholds; training allocates as before")
    try:
        yield ok
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0:
                _set(libc, *AFTER)
                libc.malloc_trim(0)
