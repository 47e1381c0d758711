"""Side-work threads of a live session lower their own priority, and only their own."""

from __future__ import annotations

import os
import sys
import threading

import numpy as np
import pytest

from core.realtime.sinks import RECORDER_NICE, RecorderSink
from core.realtime.thread_priority import lower_this_thread

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice is Linux's")


def _in_thread(fn):
    out: dict = {}

    def run() -> None:
        out["result"] = fn()
        out["nice"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    t = threading.Thread(target=run)
    t.start()
    t.join()
    return out


@linux_only
def test_a_thread_raises_its_own_nice_value_and_no_other() -> None:
    mine = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    target = min(mine + 3, 19)
    out = _in_thread(lambda: lower_this_thread(target))
    assert out["nice"] == target and out["result"] == f"nice {target} (from {mine})"
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == mine  # this thread kept its own
    assert (
        _in_thread(lambda: lower_this_thread(mine))["result"]
        == f"nice {mine} kept (already at or above {mine})"
    )


@linux_only
def test_the_recorder_encodes_at_a_higher_nice_value(tmp_path) -> None:
    rec = RecorderSink(tmp_path / "r.mp4", (64, 48), 25.0)
    rec.frame(0, np.zeros((48, 64, 3), np.uint8))
    rec.close(total_frames=2)
    mine = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    want = max(RECORDER_NICE, mine)
    assert rec.info()["priority"].startswith(f"nice {want}")
    assert rec.info()["frames_written"] == 2
    plain = RecorderSink(tmp_path / "p.mp4", (64, 48), 25.0, nice=0)
    plain.close()
    assert plain.info()["priority"] == "default"


@linux_only
def test_the_frame_path_asks_for_a_lower_nice_value_and_reports_what_it_got() -> None:
    from core.realtime.thread_priority import raise_this_thread

    mine = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    want = max(mine - 2, -20)
    out = _in_thread(lambda: raise_this_thread(want))
    if out["nice"] == want:  # allowed here (CAP_SYS_NICE or RLIMIT_NICE)
        assert out["result"] == f"nice {want} (from {mine})"
    else:
        assert out["nice"] == mine and "CAP_SYS_NICE" in out["result"]
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == mine
    assert (
        _in_thread(lambda: raise_this_thread(mine + 1))["result"]
        == f"nice {mine} kept (already at or below {mine + 1})"
    )


@linux_only
def test_realtime_request_applies_to_the_thread_only_and_its_children_run_normally() -> None:
    from core.realtime.thread_priority import frame_path_priority

    def ask() -> dict:
        got = frame_path_priority(None, 5)
        tid = threading.get_native_id()
        child: dict = {}
        t = threading.Thread(
            target=lambda: child.update(policy=os.sched_getscheduler(threading.get_native_id()))
        )
        t.start()
        t.join()
        policy = os.sched_getscheduler(tid)
        if got.startswith("SCHED_FIFO"):  # restore before the thread ends (it is the test's own)
            os.sched_setscheduler(tid, os.SCHED_OTHER, os.sched_param(0))
        return {"got": got, "policy": policy, "child": child["policy"]}

    out = _in_thread(ask)["result"]
    if out["got"] == "SCHED_FIFO 5":  # allowed here (CAP_SYS_NICE or RLIMIT_RTPRIO)
        assert out["policy"] == os.SCHED_FIFO | os.SCHED_RESET_ON_FORK  # as asked, the flag with it
    else:
        assert out["policy"] == os.SCHED_OTHER and "RLIMIT_RTPRIO" in out["got"]
    assert out["child"] == os.SCHED_OTHER  # threads it starts (an encoder's) never inherit it
    assert os.sched_getscheduler(threading.get_native_id()) == os.SCHED_OTHER
    mine = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    assert _in_thread(lambda: frame_path_priority(mine, None))["result"].startswith(f"nice {mine} kept")
