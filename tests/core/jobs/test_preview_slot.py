"""The newest-preview slot: newest wins per name, a write counter to skip idle polls, thread-safe."""

from __future__ import annotations

import threading

import numpy as np

from core.jobs.preview_slot import PreviewSlot
from core.realtime.sinks import FrameSlot


def test_newest_wins_and_the_reader_skips_what_it_has_seen():
    slot: PreviewSlot[str] = PreviewSlot()
    assert slot.latest() is None and slot.write_id == 0
    slot.put("a")
    slot.put("b")
    wid, value = slot.latest()
    assert (wid, value) == (2, "b") and slot.write_id == 2
    assert slot.latest(wid) is None  # nothing new since the last look
    slot.put("c")
    assert slot.latest(wid) == (3, "c")


def test_names_are_kept_apart():
    slot: PreviewSlot[int] = PreviewSlot()
    slot.put(1, "samples")
    slot.put(2, "attention")
    slot.put(3, "samples")
    assert slot.names() == ["samples", "attention"]
    assert slot.latest(name="samples") == (3, 3) and slot.latest(name="attention") == (2, 2)
    assert slot.latest(2, "attention") is None and slot.latest(name="missing") is None


def test_a_fast_producer_never_blocks_and_the_reader_sees_increasing_ids():
    slot: PreviewSlot[int] = PreviewSlot()
    n = 20000
    seen: list[int] = []
    done = threading.Event()

    def produce() -> None:
        for i in range(n):
            slot.put(i)
        done.set()

    t = threading.Thread(target=produce)
    t.start()
    last = -1
    while not done.is_set() or slot.latest(last) is not None:
        got = slot.latest(last)
        if got is not None:
            assert got[0] > last and got[1] == got[0] - 1  # id and value written together
            last = got[0]
            seen.append(got[1])
    t.join()
    assert seen[-1] == n - 1 and slot.write_id == n
    assert seen == sorted(seen)


def test_the_live_view_sink_is_the_same_slot():
    slot = FrameSlot()
    assert isinstance(slot, PreviewSlot)
    frame = np.zeros((2, 2, 3), np.uint8)
    slot.frame(7, frame)
    wid, (index, got) = slot.latest()
    assert wid == slot.write_id == 1 and index == 7 and got is frame
