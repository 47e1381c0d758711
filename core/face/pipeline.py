"""The streaming part of preparing a clip: decode -> track -> encode, overlapped on threads.

Decoding (PyAV) and encoding (libx264) release the GIL, and so does MediaPipe's graph, so a
decoder thread, the tracking loop on the caller's thread and an encoder thread run side by side
with small bounded queues between them. The tracker pulls the decoded frames itself, so it can
take the next one (and the caller handle the last result) while its graph works. Cancel is
checked on the caller's thread once per frame; the helper threads stop through `stop` and are
always joined before returning or raising.
`Background` runs whole-file side work (the audio track, the file's hash, the array files) beside it.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

_END = object()


@dataclass
class _Failure:
    error: BaseException


@dataclass
class StageTimes:
    """Seconds spent inside each stage's own work (they overlap in wall time; "track" without the
    waits for decoded frames, which are `waits["decoded"]`), and the CPU seconds of each stage's
    thread ("decode", "track" from the warm-up on, "encode"; libav's own decoding threads and
    MediaPipe's graph threads are not in them)."""

    decode: float = 0.0
    track: float = 0.0
    encode: float = 0.0
    first_tracked: float | None = None  # perf_counter() when the first frame's track() returned
    last_tracked: float | None = None  # and the last's
    last_tracked_cpu: float | None = None  # process_time() then (the process's CPU, every thread)
    waits: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)


def _put(q: queue.Queue, item: Any, stop: threading.Event) -> bool:
    while not stop.is_set():
        try:
            q.put(item, timeout=0.1)
            return True
        except queue.Full:
            continue
    return False


def each(track: Callable[[Any], Any]) -> Callable[[Iterator[Any]], Iterator[tuple[Any, Any]]]:
    """A per-item function `track(item) -> result` as `run_pipeline`'s stream tracker."""
    return lambda items: ((item, track(item)) for item in items)


def run_pipeline(
    frames: Iterator[Any],
    track: Callable[[Iterator[Any]], Iterator[tuple[Any, Any]]],
    encode: Callable[[Any], None] | None,
    on_frame: Callable[[int, Any], None],
    depth: int = 6,
    warm_up: Callable[[], bool] | None = None,
    after_last: Callable[[], None] | None = None,
    encode_end: Callable[[], None] | None = None,
) -> StageTimes:
    """Feed every decoded item (a frame, or a frame with what rides along) to `track` (this thread)
    and `encode` (a worker), in order.

    `track(items)` gets the decoded items as an iterator and yields (item, result) for each, in
    order, on this thread; it may take item i + 1 before it yields item i's result (a tracker that
    keeps its graph busy while `on_frame` runs). `each(fn)` makes one from a per-item function.

    `frames` is pulled on the decoder thread, so per-frame work that needs no tracking result
    (thumbnails) can ride along in it. Without `encode` (the video was copied) there is no
    encoder thread. `warm_up()` runs on this thread once the decoder has started and before the
    first frame is tracked, so slow set-up (building the tracker's graph) overlaps the first
    frames' decoding; when it returns False, `encode` is dropped (the video was copied meanwhile)
    and no encoder thread starts. `on_frame(index, track_result)` runs on this thread after each
    frame (progress, cancel checks); an exception there or in any stage stops all stages and is
    re-raised here. Once every frame is tracked, `encode_end()` runs on the encoder thread after
    the last frame's `encode` (flushing the encoder) while `after_last()` runs on this thread, so
    work that needs every tracking result overlaps the encoder's backlog; both are done, and
    every thread joined, when this returns.
    """
    import time

    times = StageTimes()
    stop = threading.Event()
    decoded: queue.Queue = queue.Queue(maxsize=depth)
    to_encode: queue.Queue = queue.Queue(maxsize=depth)
    encode_error: list[BaseException] = []

    def decoder() -> None:
        cpu0 = time.thread_time()
        try:
            it = iter(frames)
            while not stop.is_set():
                t0 = time.perf_counter()
                try:
                    frame = next(it)
                except StopIteration:
                    break
                times.decode += time.perf_counter() - t0
                if not _put(decoded, frame, stop):
                    return
            times.cpu["decode"] = time.thread_time() - cpu0
            _put(decoded, _END, stop)
        except BaseException as exc:
            _put(decoded, _Failure(exc), stop)

    def encoder() -> None:
        cpu0 = time.thread_time()
        try:
            while True:
                item = to_encode.get()
                if item is _END and not stop.is_set() and encode_end is not None:
                    t0 = time.perf_counter()
                    encode_end()
                    times.encode += time.perf_counter() - t0
                if item is _END or stop.is_set():
                    times.cpu["encode"] = time.thread_time() - cpu0
                    return
                t0 = time.perf_counter()
                encode(item)
                times.encode += time.perf_counter() - t0
        except BaseException as exc:
            encode_error.append(exc)
            stop.set()

    threads = [threading.Thread(target=decoder, name="prepare-decode", daemon=True)]
    results: Iterator[tuple[Any, Any]] | None = None
    threads[0].start()
    cpu0 = time.thread_time()
    try:
        if warm_up is not None and not warm_up():
            encode = None
        if encode is not None:
            threads.append(threading.Thread(target=encoder, name="prepare-encode", daemon=True))
            threads[-1].start()
        waited = times.waits["decoded"] = 0.0

        def items() -> Iterator[Any]:
            nonlocal waited
            while True:
                t0 = time.perf_counter()
                item = decoded.get()
                waited += time.perf_counter() - t0
                if item is _END:
                    return
                if isinstance(item, _Failure):
                    raise item.error
                if encode_error:
                    raise encode_error[0]
                yield item

        results = track(items())
        index = 0
        while True:
            t0, waited0 = time.perf_counter(), waited
            pair = next(results, _END)
            if pair is _END:
                break
            item, result = pair
            times.last_tracked = t1 = time.perf_counter()
            times.last_tracked_cpu = time.process_time()
            times.track += t1 - t0 - (waited - waited0)
            if times.first_tracked is None:
                times.first_tracked = t1
            if encode is not None and not _put(to_encode, item, stop):
                break
            on_frame(index, result)
            index += 1
        times.waits["decoded"] = waited
        if encode is not None:
            _put(to_encode, _END, stop)
        times.cpu["track"] = time.thread_time() - cpu0
        if after_last is not None and not stop.is_set():
            after_last()
    except BaseException:
        stop.set()
        raise
    finally:
        if results is not None and hasattr(results, "close"):
            results.close()  # a tracker left mid-stream (an error, a cancel) lets go of its frame
        if stop.is_set():
            _drain(decoded)
            _drain(to_encode)
            to_encode.put_nowait(_END)
        for t in threads:
            t.join()
    if encode_error:
        raise encode_error[0]
    return times


def _drain(q: queue.Queue) -> None:
    while True:
        try:
            q.get_nowait()
        except queue.Empty:
            return


class Background:
    """Side work on threads for the length of a `with` block.

    Leaving the block (normally, on an error or a cancel) sets `stop`, which long work should
    poll, and waits for every thread, so nothing outlives the job.
    """

    def __init__(self, workers: int = 2) -> None:
        self.stop = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="prepare-side")
        self._jobs: list[Future] = []

    def start(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future:
        job = self._pool.submit(fn, *args, **kwargs)
        self._jobs.append(job)
        return job

    def raise_failed(self) -> None:
        """Re-raise the error of any side job that already failed (a bad audio track stops the stream).

        Jobs that finished well are forgotten, so a long clip's many preview jobs cost nothing here.
        """
        running = []
        for job in self._jobs:
            if not job.done():
                running.append(job)
            elif not job.cancelled() and job.exception() is not None:
                raise job.exception()
        self._jobs = running

    def __enter__(self) -> Background:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self._pool.shutdown(wait=True, cancel_futures=True)
