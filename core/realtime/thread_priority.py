"""Side work of a live session yields the CPU to the threads that present frames.

Why: on a shared CPU the scheduler splits time between runnable threads by weight. The live
engine's frame path (source, mouth, render) is short bursts with a deadline; recording (H.264
encoding on the recorder thread and the encoder threads it starts) is throughput work that may
lag a little. A higher nice value on the side-work threads gives the frame path more of the CPU
than they get, without any privilege: raising one's own nice value is always allowed, lowering
it is not (so nothing here can starve a process, and a later lower value is refused).

The other way round, the frame path asks for real-time scheduling (`realtime_this_thread`,
SCHED_FIFO, `EngineConfig.frame_realtime`), else a lower nice value (`raise_this_thread`,
`EngineConfig.frame_nice`); each is granted only where the user may (CAP_SYS_NICE, RLIMIT_RTPRIO /
RLIMIT_NICE: root, or the audio group's limits on Linux desktops), and the engine's report says
what each thread got. A nice value works only within the process's autogroup/cgroup (other
sessions' work keeps its share); SCHED_FIFO runs before all of it, which is what took the
benchmark's tail away. Safety: the frame path sleeps until audio arrives (about a sixth of a core at
25 fps), threads it starts run normally (SCHED_RESET_ON_FORK), the kernel keeps 5 % of each CPU for
the rest, and a render thread slower than real time goes back to normal scheduling
(`normal_this_thread`) rather than hold a core.

Linux sets nice per thread (`setpriority(PRIO_PROCESS, tid)`), and threads a thread starts
afterwards inherit it (the encoder's own threads start at its first frame). Elsewhere
`PRIO_PROCESS` would change the whole process, so the call leaves it as it is and says why.
"""

from __future__ import annotations

import os
import sys
import threading

# what the live engine's frame path asks for: SCHED_FIFO at FRAME_PATH_REALTIME (PipeWire's data
# threads use 88; 10 stays under any audio server's), else nice FRAME_PATH_NICE (PipeWire's clients
# get -11 through rtkit). bench_live_latency, L1_S0, load 6-8 from other people's work, p95 alone /
# beside a 2-thread process: 80 / 84 ms under SCHED_FIFO, 108 / 121 at nice -10 alone (a nice value
# counts only within the process's autogroup), 116 / 166 with neither
# (benchmarks/results/live_latency_overhead.json)
FRAME_PATH_NICE = -10
FRAME_PATH_REALTIME = 10


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


def realtime_this_thread(priority: int) -> str:
    """Run the calling thread under SCHED_FIFO at `priority` (1..99), as audio servers run their
    data threads; threads it starts afterwards run normally (SCHED_RESET_ON_FORK). Granted with
    CAP_SYS_NICE or an RLIMIT_RTPRIO that allows it (the audio group's limits.conf on Linux
    desktops); the kernel's real-time throttling keeps 5 % of each CPU for the rest. Never raises."""
    if not sys.platform.startswith("linux") or not hasattr(os, "sched_setscheduler"):
        return f"left as it is: SCHED_FIFO per thread is a Linux feature (this is {sys.platform})"
    tid = threading.get_native_id()
    try:
        os.sched_setscheduler(tid, os.SCHED_FIFO | os.SCHED_RESET_ON_FORK, os.sched_param(priority))
    except OSError as exc:
        return f"normal scheduling kept: SCHED_FIFO needs CAP_SYS_NICE or RLIMIT_RTPRIO ({exc.strerror})"
    return f"SCHED_FIFO {os.sched_getparam(tid).sched_priority}"


def frame_path_priority(nice: int | None, realtime: int | None) -> str:
    """What a frame-path thread asks for: SCHED_FIFO at `realtime` when given and granted, else the
    nice value `nice` when given; returns what it got."""
    got = ""
    if realtime is not None:
        got = realtime_this_thread(realtime)
        if got.startswith("SCHED_FIFO"):
            return got
    if nice is not None:
        return f"{got}; {raise_this_thread(nice)}" if got else raise_this_thread(nice)
    return got or "left as it is"


def normal_this_thread(nice: int | None) -> str:
    """Back to normal scheduling (from SCHED_FIFO), at `nice` when given and allowed; returns what it got."""
    if not sys.platform.startswith("linux") or not hasattr(os, "sched_setscheduler"):
        return "left as it is"
    try:
        os.sched_setscheduler(threading.get_native_id(), os.SCHED_OTHER, os.sched_param(0))
    except OSError as exc:
        return f"left as it is ({exc.strerror})"
    return raise_this_thread(nice) if nice is not None else "normal scheduling"
