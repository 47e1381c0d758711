"""Ask the kernel to wake the calling thread promptly: a short EEVDF time slice (Linux >= 6.12).

Why: on a CPU shared with busy processes, the live engine's threads sleep most of a frame period
and then need ~8 ms of CPU at once. With the default slice a woken thread waits for the running
task's slice to end; a thread that asked for a short slice gets an earlier virtual deadline, so the
scheduler picks it sooner and may preempt a long-running task at wake-up (EEVDF's "shorter slice
wins"). It asks for no more CPU than a fair share, needs no privilege (unlike a lower nice value
or a real-time policy) and only touches the calling thread.

`request_short_slice(ms)` sets it with the `sched_setattr` system call (policy SCHED_OTHER, nice
kept, `sched_runtime` = the slice; the kernel clamps it to 0.1 .. 100 ms) and says what it did;
elsewhere (another OS, an older kernel, an architecture without the call number here) it leaves
the thread as it is and says why.
"""

from __future__ import annotations

import ctypes
import os
import platform
import sys
from dataclasses import dataclass

# sched_setattr / sched_getattr system call numbers
_SYSCALLS = {"x86_64": (314, 315), "aarch64": (274, 275), "arm64": (274, 275)}


class _SchedAttr(ctypes.Structure):
    _fields_ = [
        ("size", ctypes.c_uint32),
        ("sched_policy", ctypes.c_uint32),
        ("sched_flags", ctypes.c_uint64),
        ("sched_nice", ctypes.c_int32),
        ("sched_priority", ctypes.c_uint32),
        ("sched_runtime", ctypes.c_uint64),  # SCHED_OTHER on Linux >= 6.12: the requested slice (ns)
        ("sched_deadline", ctypes.c_uint64),
        ("sched_period", ctypes.c_uint64),
    ]


@dataclass(frozen=True)
class SliceResult:
    applied: bool
    slice_ms: float  # what the kernel reports now (0: unknown or its default)
    reason: str


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def current_slice_ms() -> float:
    """The calling thread's slice: requested, or the kernel's default (0.0: a kernel before 6.12,
    or not readable here)."""
    nums = _SYSCALLS.get(platform.machine())
    if not sys.platform.startswith("linux") or nums is None:
        return 0.0
    attr = _SchedAttr()
    if _libc().syscall(nums[1], 0, ctypes.byref(attr), ctypes.sizeof(attr), 0) != 0:
        return 0.0
    return attr.sched_runtime / 1e6


def request_short_slice(ms: float) -> SliceResult:
    """Give the calling thread a `ms` slice (its policy must be SCHED_OTHER, the default)."""
    nums = _SYSCALLS.get(platform.machine())
    if not sys.platform.startswith("linux"):
        return SliceResult(False, 0.0, f"no per-thread slice on {sys.platform}")
    if nums is None:
        return SliceResult(False, 0.0, f"sched_setattr's number is not known here for {platform.machine()}")
    if os.sched_getscheduler(0) != os.SCHED_OTHER:
        return SliceResult(False, 0.0, "the thread has a real-time or batch policy: left as it is")
    attr = _SchedAttr(
        size=ctypes.sizeof(_SchedAttr),
        sched_policy=os.SCHED_OTHER,
        sched_nice=os.getpriority(os.PRIO_PROCESS, 0),
        sched_runtime=int(ms * 1e6),
    )
    libc = _libc()
    if libc.syscall(nums[0], 0, ctypes.byref(attr), 0) != 0:
        err = ctypes.get_errno()
        return SliceResult(False, 0.0, f"sched_setattr refused: {os.strerror(err)}")
    got = current_slice_ms()
    if got <= 0.0:  # before 6.12 the kernel accepts the call, ignores sched_runtime, reports 0
        return SliceResult(False, 0.0, f"the kernel ({platform.release()}) ignores a requested slice")
    return SliceResult(True, got, f"{got:g} ms slice (asked {ms:g} ms)")
