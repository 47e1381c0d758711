import numpy as np

from core.realtime.ring_buffer import AudioRingBuffer


def test_reads_back_in_order_across_wraparound():
    ring = AudioRingBuffer(capacity=100)
    data = np.arange(250, dtype=np.float32)
    got = []
    for start in range(0, 250, 30):
        ring.write(data[start : start + 30], t_end=float(start))
        block = ring.read(1000)
        assert block.start == start and block.lost == 0
        got.append(block.samples)
    np.testing.assert_array_equal(np.concatenate(got), data)
    assert ring.overrun_events == 0


def test_overrun_drops_oldest_and_counts():
    ring = AudioRingBuffer(capacity=64)
    ring.write(np.arange(100, dtype=np.float32), t_end=1.0)  # more than fits
    ring.write(np.arange(100, 120, dtype=np.float32), t_end=2.0)
    block = ring.read(1000)
    assert block.lost == 120 - 64 and ring.overrun_samples == 56 and ring.overrun_events == 1
    assert block.start == 56
    np.testing.assert_array_equal(block.samples, np.arange(56, 120, dtype=np.float32))


def test_capture_time_from_block_stamps():
    ring = AudioRingBuffer(capacity=1000, sample_rate=100)
    ring.write(np.zeros(10, np.float32), t_end=5.0)  # samples 0..9, last captured at 5.0
    ring.write(np.zeros(10, np.float32), t_end=9.0)  # a late block: samples 10..19
    assert ring.capture_time(9) == 5.0
    assert abs(ring.capture_time(0) - 4.91) < 1e-9
    assert abs(ring.capture_time(15) - (9.0 - 0.04)) < 1e-9
    assert ring.capture_time(20) is None
