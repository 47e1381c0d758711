"""The short time slice the live engine's threads ask for: set on this thread only, read back."""

from __future__ import annotations

import platform
import sys
import threading

import pytest

from core.realtime.sched_slice import current_slice_ms, request_short_slice


def _kernel_at_least(major: int, minor: int) -> bool:
    try:
        got = tuple(int(x) for x in platform.release().split("-")[0].split(".")[:2])
    except ValueError:
        return False
    return got >= (major, minor)


def test_slice_is_applied_to_the_calling_thread_only():
    out: dict = {}
    mine = current_slice_ms()  # the kernel's default (or 0.0 where it does not say)

    def worker():
        out["result"] = request_short_slice(0.3)
        out["after"] = current_slice_ms()

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    result = out["result"]
    supported = sys.platform.startswith("linux") and platform.machine() in ("x86_64", "aarch64")
    if not (supported and _kernel_at_least(6, 12)):
        assert not result.applied and result.reason  # says why it left the thread alone
        pytest.skip(f"no per-thread slice here: {result.reason}")
    assert result.applied, result.reason
    assert out["after"] == pytest.approx(0.3) == result.slice_ms
    assert current_slice_ms() == mine != 0.3  # this (pytest's) thread kept its slice


def test_out_of_range_requests_are_clamped_by_the_kernel():
    out: dict = {}
    t = threading.Thread(target=lambda: out.setdefault("r", request_short_slice(0.001)))
    t.start()
    t.join()
    if not out["r"].applied:
        pytest.skip(out["r"].reason)
    assert out["r"].slice_ms == pytest.approx(0.1)  # the kernel's minimum
