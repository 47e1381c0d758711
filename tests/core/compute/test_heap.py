"""The retained heap: a training step reuses the last step's freed memory instead of faulting it in."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from core.compute import heap

GLIBC = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"
ROOT = Path(__file__).resolve().parents[3]

# DINet mini forward + backward at mouth 64 (batch 4): minor page faults per step after warm-up,
# on the main thread or on a worker thread (the GUI trains on a QThread), with or without the heap
STEP_FAULTS = """
import resource, sys, threading, contextlib, torch
from core.compute import heap
from core.lipsync.config import RendererConfig
from core.lipsync.factory import build_renderer
torch.set_num_threads(1)
gen = build_renderer(RendererConfig(variant="mini", mouth_size=64)).to(memory_format=torch.channels_last)
src = torch.rand(4, 4, 104, 80).contiguous(memory_format=torch.channels_last)
refs = torch.rand(4, 5, 4, 104, 80)
out = []
def run():
    with heap.retained_heap() if sys.argv[1] == "on" else contextlib.nullcontext():
        for _ in range(5):
            gen(src, refs).mean().backward()
        before = resource.getrusage(resource.RUSAGE_THREAD).ru_minflt
        for _ in range(5):
            gen(src, refs).mean().backward()
        out.append((resource.getrusage(resource.RUSAGE_THREAD).ru_minflt - before) / 5)
worker = threading.Thread(target=run) if sys.argv[2] == "thread" else None
worker.start() if worker else run()
worker.join() if worker else None
print(out[0])
"""


def _step_faults(mode: str, thread: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, "-c", STEP_FAULTS, mode, thread], env=env, capture_output=True, text=True, check=True
    )
    return float(done.stdout.split()[-1])


@pytest.mark.skipif(not GLIBC, reason="glibc's mallopt only")
@pytest.mark.parametrize("thread", ["main", "thread"])
def test_training_steps_stop_page_faulting_in_a_retained_heap(thread: str) -> None:
    off, on = _step_faults("off", thread), _step_faults("on", thread)
    assert off > 500, off  # glibc's defaults hand activations back and fault them in again
    assert on < off / 10, (on, off)  # main thread: ~0; a worker thread's arena: ~150 of ~5,400


@pytest.mark.skipif(not GLIBC, reason="glibc's mallopt only")
def test_retained_heap_nests_and_lowers_the_thresholds_when_the_last_holder_leaves(monkeypatch) -> None:
    calls: list[tuple[int, ...]] = []
    real = heap._set
    monkeypatch.setattr(heap, "_set", lambda libc, *v: calls.append(v) or real(libc, *v))
    with heap.retained_heap() as outer, heap.retained_heap() as inner:
        assert outer and inner
        assert calls == [(heap.MMAP_THRESHOLD, heap.TRIM_THRESHOLD, heap.TOP_PAD)]  # by the first holder
    assert calls[-1] == heap.AFTER and len(calls) == 2


def test_retained_heap_is_a_no_op_without_glibc(monkeypatch) -> None:
    monkeypatch.setattr(heap, "_libc", lambda: None)
    with heap.retained_heap() as took:
        assert took is False
