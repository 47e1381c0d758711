"""The decode -> track -> encode pipeline and the side-work threads: order, errors, cancel, cleanup."""

import threading
import time

import numpy as np
import pytest

from core.face.pipeline import Background, each, run_pipeline
from core.jobs.errors import BadInput


def _frames(n: int, pulled: list[int], fail_at: int | None = None):
    for i in range(n):
        if i == fail_at:
            raise BadInput(f"frame {i} is corrupt")
        pulled.append(threading.get_ident())
        yield np.full((4, 4, 3), i, np.uint8)


def _alive(prefix: str) -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith(prefix)]


def test_frames_tracked_and_encoded_in_order_on_their_threads():
    pulled, encoded, seen = [], [], []
    encode_threads = set()

    def encode(frame):
        encode_threads.add(threading.get_ident())
        encoded.append(int(frame[0, 0, 0]))

    times = run_pipeline(
        _frames(30, pulled),
        each(lambda f: int(f[0, 0, 0]) * 2),
        encode,
        lambda i, r: seen.append((i, r)),
        depth=2,
    )
    assert seen == [(i, 2 * i) for i in range(30)] and encoded == list(range(30))
    main = threading.get_ident()
    assert set(pulled) != {main} and len(set(pulled)) == 1  # decoded on one other thread
    assert encode_threads and main not in encode_threads
    assert times.track >= 0 and times.decode > 0 and _alive("prepare-") == []


def test_without_an_encoder_no_encoder_thread_runs():
    started = []
    original = threading.Thread.start

    def spy(self):
        started.append(self.name)
        original(self)

    threading.Thread.start = spy
    try:
        seen = []
        run_pipeline(_frames(5, []), each(lambda f: None), None, lambda i, r: seen.append(i))
    finally:
        threading.Thread.start = original
    assert seen == list(range(5)) and started == ["prepare-decode"]


def test_a_cancel_in_on_frame_stops_decoding_and_joins_every_thread():
    pulled = []

    class Cancelled(Exception):
        pass

    def on_frame(i, r):
        if i == 3:
            raise Cancelled

    with pytest.raises(Cancelled):
        run_pipeline(
            _frames(1000, pulled), each(lambda f: None), lambda f: time.sleep(0.001), on_frame, depth=4
        )
    assert len(pulled) < 20  # the decoder stopped soon after, not at the end of the clip
    assert _alive("prepare-") == []


def test_after_last_runs_here_while_the_encoder_finishes_on_its_thread():
    events, main = [], threading.get_ident()
    encoder_free = threading.Event()

    def encode(frame):
        encoder_free.wait(5)  # the encoder lags: the last frames are still queued when tracking ends
        events.append(("encode", int(frame[0, 0, 0])))

    def encode_end():
        events.append(("end", threading.get_ident() != main))

    def after_last():
        events.append(("after_last", threading.get_ident() == main, len(seen)))
        encoder_free.set()  # runs while the encoder still holds frames: the two overlap

    seen = []
    run_pipeline(
        _frames(10, []),
        each(lambda f: None),
        encode,
        lambda i, r: seen.append(i),
        depth=16,  # every frame fits in the queues: tracking ends first
        after_last=after_last,
        encode_end=encode_end,
    )
    assert events[0] == ("after_last", True, 10)  # every frame tracked, on the calling thread
    assert [e for e in events if e[0] == "encode"] == [("encode", i) for i in range(10)]
    assert events[-1] == ("end", True)  # after the last frame's encode, on the encoder thread
    assert _alive("prepare-") == []


def test_an_error_after_the_last_frame_stops_the_encoder_without_finishing_it():
    ended, gate = [], threading.Event()

    def after_last():
        threading.Timer(0.2, gate.set).start()  # the encoder is held on frame 0 until after the error
        raise BadInput("no face in 90% of the frames")

    with pytest.raises(BadInput, match="no face"):
        run_pipeline(
            _frames(5, []),
            each(lambda f: None),
            lambda f: gate.wait(5),
            lambda i, r: None,
            depth=8,
            after_last=after_last,
            encode_end=lambda: ended.append(True),
        )
    assert ended == [] and _alive("prepare-") == []


def test_decoder_and_encoder_errors_reach_the_caller():
    with pytest.raises(BadInput, match="frame 7 is corrupt"):
        run_pipeline(_frames(20, [], fail_at=7), each(lambda f: None), None, lambda i, r: None)

    def encode(frame):
        if frame[0, 0, 0] == 2:
            raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        run_pipeline(_frames(50, []), each(lambda f: None), encode, lambda i, r: None, depth=2)
    assert _alive("prepare-") == []


def test_background_reports_failures_early_and_stops_long_work_on_exit():
    finished = threading.Event()

    def long_work(stop: threading.Event) -> str:
        while not stop.wait(0.01):
            pass
        finished.set()
        return "stopped"

    def bad() -> None:
        raise BadInput("the audio track is corrupt")

    with pytest.raises(BadInput, match="corrupt"), Background() as side:
        job = side.start(long_work, side.stop)
        side.start(bad)
        deadline = time.time() + 5
        while time.time() < deadline:
            side.raise_failed()  # what the tracking loop calls once per frame
            time.sleep(0.01)
    assert finished.is_set() and job.result() == "stopped"  # joined on the way out
    assert _alive("prepare-side") == []


def test_finished_side_jobs_are_forgotten_and_a_failure_still_surfaces():
    with Background() as side:
        for _ in range(50):
            side.start(lambda: None).result()
        side.raise_failed()
        assert side._jobs == []  # a long clip's preview jobs do not pile up in the per-frame check
        side.start(lambda: 1 / 0).exception()  # wait until it has failed
        with pytest.raises(ZeroDivisionError):
            side.raise_failed()


def test_the_live_preview_is_drawn_on_the_side_pool_one_at_a_time():
    from core.face.preview import TILE, TrackingPreview
    from core.jobs.context import JobContext
    from core.jobs.events import Preview

    shown, threads, release = [], [], threading.Event()

    def sink(event):
        if isinstance(event, Preview):
            threads.append(threading.get_ident())
            release.wait(5)  # hold the first drawing until the tracking thread has moved on
            shown.append(event.image)

    ctx = JobContext(sink)
    frame = np.zeros((2 * TILE, 2 * TILE, 3), np.uint8)
    landmarks = np.tile(np.array([[TILE, TILE, 0.0]], np.float32), (478, 1))
    landmarks[234, 0], landmarks[454, 0] = TILE - 100, TILE + 100  # cheeks: a 140 px mouth box
    with Background() as side:
        live = TrackingPreview(interval_s=0.0, background=side.start)
        for _ in range(5):  # the first is still drawing: the next four are skipped, not queued
            live.offer(ctx, frame, landmarks, rgb=True)
        release.set()
    assert len(shown) == 1 and threads != [threading.get_ident()]
    assert shown[0].shape == (TILE, TILE, 3) and shown[0].any()  # downscaled, landmarks drawn


def test_warm_up_runs_while_the_first_frames_decode_and_can_drop_the_encoder():
    pulled, encoded, seen = [], [], []

    def warm_up() -> bool:  # building the tracker's graph, here: wait until decoding has begun
        deadline = time.time() + 5
        while not pulled and time.time() < deadline:
            time.sleep(0.001)
        seen.append(("warm_up", len(pulled), _alive("prepare-")))
        return False  # the video was copied meanwhile: nothing to encode

    run_pipeline(
        _frames(8, pulled), each(lambda f: None), encoded.append, lambda i, r: seen.append(i), warm_up=warm_up
    )
    assert seen[0][0] == "warm_up" and seen[0][1] >= 1 and seen[0][2] == ["prepare-decode"]
    assert seen[1:] == list(range(8)) and encoded == [] and _alive("prepare-") == []


def test_a_tracker_that_pulls_one_frame_ahead_sees_on_frame_run_between_its_frames():
    log, encoded = [], []

    def ahead(items):  # like FaceTracker.track_stream: takes frame i + 1 before frame i's result
        source = iter(items)
        current = next(source, None)
        while current is not None:
            upcoming = next(source, None)
            log.append(("pulled", None if upcoming is None else int(upcoming[0, 0, 0])))
            yield current, int(current[0, 0, 0]) + 100
            current = upcoming

    run_pipeline(
        _frames(6, []),
        ahead,
        lambda f: encoded.append(int(f[0, 0, 0])),
        lambda i, r: log.append(("on_frame", i, r)),
        depth=2,
    )
    assert [e for e in log if e[0] == "on_frame"] == [("on_frame", i, i + 100) for i in range(6)]
    assert log[:3] == [("pulled", 1), ("on_frame", 0, 100), ("pulled", 2)]  # frame 1 taken before 0's turn
    assert encoded == list(range(6)) and _alive("prepare-") == []
