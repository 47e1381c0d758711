"""Side work of a live session yields the CPU to the threads that present frames.

Why: on a shared CPU the scheduler splits time between runnable threads by weight. The live
engine's frame path (source, mouth, render) is short bursts with a deadline; recording (H.264
encoding on the recorder thread and the encoder threads it starts) is throughput work that may
lag a little. A higher nice value on the side-work threads gives the frame path more of the CPU
than they get, without any privilege: raising one's own nice value is always allowed, lowering
it is not (so nothing here can starve a process, and a later lower value is refused).

Linux sets nice per thread (`setpriority(PRIO_PROCESS, tid)`), and threads a thread starts
afterwards inherit it (the encoder's own threads start at its first frame). Elsewhere
`PRIO_PROCESS` would change the whole process, so the call leaves it as it is and says why.
"""

from __future__ import annotations

import os
import sys
import threading


def lower_this_thread(nice: int) -> str:
    """Set the calling thread's nice value to at least `nice` (0..19); returns what it did."""
    if not sys.platform.startswith("linux") or not hasattr(os, "setpriority"):
        return f"left as it is: per-thread priority is a Linux feature (this is {sys.platform})"
    tid = threading.get_native_id()
    try:
        now = os.getpriority(os.PRIO_PROCESS, tid)
        if now >= nice:
            return f"nice {now} kept (already at or above {nice})"
        os.setpriority(os.PRIO_PROCESS, tid, nice)
    except OSError as exc:
        return f"left as it is: setpriority refused ({exc.strerror})"
    return f"nice {os.getpriority(os.PRIO_PROCESS, tid)} (from {now})"
