"""Single-producer single-consumer audio ring buffer whose writer never blocks.

The audio callback (the producer) only copies samples into a preallocated array and then
publishes a new write count; it takes no lock and allocates nothing, so a slow consumer can
never stall the audio driver. When the consumer falls a whole buffer behind, the oldest
samples are overwritten; the consumer notices on its next read and counts them as an
overrun instead of returning torn data.

Every write also records when its last sample was captured, so the engine can tell for
any sample index when it entered the machine (the start of the end-to-end latency).

Example:
    >>> ring = AudioRingBuffer(capacity=1024)
    >>> ring.write(np.ones(160, np.float32), t_end=1.0)
    >>> block = ring.read(1000)
    >>> block.start, block.samples.shape
    (0, (160,))
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

STAMP_SLOTS = 1024  # capture stamps kept (about 10 s of 10 ms blocks)


@dataclass(frozen=True)
class AudioBlock:
    """Samples read from the ring: `samples[i]` is absolute sample index `start + i`."""

    samples: np.ndarray  # [n] float32
    start: int
    lost: int  # samples skipped before `start` because they were overwritten (overrun)


class AudioRingBuffer:
    def __init__(self, capacity: int, sample_rate: int = 16000) -> None:
        if capacity < 16:
            raise ValueError(f"ring capacity must be >= 16 samples (got {capacity})")
        self.capacity = int(capacity)
        self.sample_rate = int(sample_rate)
        self._buf = np.zeros(self.capacity, np.float32)
        self._written = 0  # total samples ever written (published after the copy)
        self._read = 0  # total samples handed to the consumer (consumer-owned)
        self._stamp_end = np.zeros(STAMP_SLOTS, np.int64)  # write count after each block
        self._stamp_time = np.zeros(STAMP_SLOTS, np.float64)  # capture time of that block's last sample
        self._stamp_arrival = np.zeros(STAMP_SLOTS, np.float64)  # when the block was written
        self._stamps = 0
        self.overrun_samples = 0
        self.overrun_events = 0
        # set after a write that brings the written count to `wake_at` (0: every write), so the consumer
        # sleeps until the audio it needs has come instead of polling; setting an Event never waits on
        # the consumer (it holds the Event's lock only while it starts waiting)
        self.data_ready = threading.Event()
        self.wake_at = 0  # consumer-owned

    # ---- producer side (audio callback / pacing thread) -------------------------------------
    def write(self, samples: np.ndarray, t_end: float, t_arrived: float | None = None) -> None:
        """Copy mono float samples in; `t_end` = capture time of the last one, `t_arrived` = when
        the block reached the machine (None: at `t_end`, a device's callback). Never blocks."""
        x = np.asarray(samples, np.float32).reshape(-1)
        n = x.shape[0]
        if n == 0:
            return
        w = self._written
        if n > self.capacity:  # only the newest capacity samples can be kept
            x = x[n - self.capacity :]
        m = x.shape[0]
        pos = (w + n - m) % self.capacity
        first = min(m, self.capacity - pos)
        self._buf[pos : pos + first] = x[:first]
        if first < m:
            self._buf[: m - first] = x[first:]
        k = self._stamps % STAMP_SLOTS
        self._stamp_end[k] = w + n
        self._stamp_time[k] = t_end
        self._stamp_arrival[k] = t_end if t_arrived is None else t_arrived
        self._stamps += 1
        self._written = w + n  # publish last: the consumer only reads below this count
        if self._written >= self.wake_at:
            self.data_ready.set()

    # ---- consumer side ----------------------------------------------------------------------
    @property
    def written(self) -> int:
        return self._written

    def available(self) -> int:
        return min(self._written - self._read, self.capacity)

    def read(self, max_samples: int) -> AudioBlock:
        """Up to `max_samples` of the oldest unread samples (possibly none)."""
        w = self._written
        r = self._read
        lost = 0
        if w - r > self.capacity:
            lost = w - r - self.capacity
            r = w - self.capacity
        n = min(int(max_samples), w - r)
        out = np.empty(max(n, 0), np.float32)
        if n > 0:
            pos = r % self.capacity
            first = min(n, self.capacity - pos)
            out[:first] = self._buf[pos : pos + first]
            if first < n:
                out[first:] = self._buf[: n - first]
            # the writer may have lapped us while we copied: drop what it overwrote
            torn = self._written - self.capacity - r
            if torn > 0:
                cut = min(torn, n)
                out = out[cut:]
                lost += cut
                r += cut
                n -= cut
        if lost:
            self.overrun_samples += lost
            self.overrun_events += 1
        self._read = r + max(n, 0)
        return AudioBlock(out, r, lost)

    def _slot_of(self, index: float) -> int | None:
        """Stamp slot of the block that held sample `index`; None when not arrived or recycled."""
        count = self._stamps
        if count == 0 or index >= self._stamp_end[(count - 1) % STAMP_SLOTS]:
            return None
        lo = max(0, count - STAMP_SLOTS)
        for s in range(count - 1, lo - 1, -1):  # newest first: recent samples are what is asked for
            if s > 0 and s == lo:
                return None  # the block before this one was recycled: its start is unknown
            start = self._stamp_end[(s - 1) % STAMP_SLOTS] if s > 0 else 0
            if index >= start:
                return s % STAMP_SLOTS
        return None

    def capture_time(self, index: float) -> float | None:
        """When sample `index` was captured, from the stamp of the block that held it.

        Within a block samples are spaced by 1/sample_rate back from the block's stamp.
        None when the sample has not arrived yet or its stamp has been recycled.
        """
        k = self._slot_of(index)
        if k is None:
            return None
        return float(self._stamp_time[k] - (self._stamp_end[k] - 1 - index) / self.sample_rate)

    def arrival_time(self, index: float) -> float | None:
        """When sample `index` reached the machine: its block's arrival stamp (by default its last
        sample's capture), so `arrival_time - capture_time` is the wait for the rest of the block
        plus any lateness of the delivery (a paced source's thread woken late)."""
        k = self._slot_of(index)
        return None if k is None else float(self._stamp_arrival[k])
