"""Side work of a live session yields the CPU to the threads that present frames.

Why: on a shared CPU the scheduler splits time between runnable threads by weight. The live
engine's frame path (source, mouth, render) is short bursts with a deadline; recording (H.264
encoding on the recorder thread and the encoder threads it starts) is throughput work that may
lag a little. A higher nice value on the side-work threads gives the frame path more of the CPU
than they get, without any privilege: raising one's own nice value is always allowed, lowering
it is not (so nothing here can starve a process, and a later lower value is refused).

The other way round, the frame path may ask for a lower nice value (`raise_this_thread`, the live
engine's `EngineConfig.frame_nice`); that is granted only where the user may (CAP_SYS_NICE,
RLIMIT_NICE), and the engine's report says what each thread got.

Linux sets nice per thread (`setpriority(PRIO_PROCESS, tid)`), and threads a thread starts
afterwards inherit it (the encoder's own threads start at its first frame). Elsewhere
`PRIO_PROCESS` would change the whole process, so the call leaves it as it is and says why.
"""

from __future__ import annotations

import os
import sys
import threading

# the nice value the live engine's frame path asks for (PipeWire's clients get -11 through rtkit);
# bench_live_latency beside a 2-thread process (same session): p95 116 vs 162 ms, p50 82 vs 96
FRAME_PATH_NICE = -10


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


def raise_this_thread(nice: int) -> str:
    """Ask for the calling thread's nice value to be at most `nice` (-20..0); returns what it did.

    Lowering a nice value needs CAP_SYS_NICE or an RLIMIT_NICE that allows it (Linux desktops give
    it to the audio group through limits.conf, as PipeWire and JACK set up); without either the
    thread keeps its value and the answer says why. Never raises."""
    if not sys.platform.startswith("linux") or not hasattr(os, "setpriority"):
        return f"left as it is: per-thread priority is a Linux feature (this is {sys.platform})"
    tid = threading.get_native_id()
    try:
        now = os.getpriority(os.PRIO_PROCESS, tid)
        if now <= nice:
            return f"nice {now} kept (already at or below {nice})"
        os.setpriority(os.PRIO_PROCESS, tid, nice)
    except OSError as exc:
        return f"nice {now} kept: lowering it needs CAP_SYS_NICE or RLIMIT_NICE ({exc.strerror})"
    return f"nice {os.getpriority(os.PRIO_PROCESS, tid)} (from {now})"
