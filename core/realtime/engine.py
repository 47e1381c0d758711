"""The live engine: audio source -> mouth stage -> renderer -> sinks, on threads with bounded queues.

Threads and hand-offs:
- the source (audio callback or pacing thread) copies blocks into the ring buffer;
- the mouth thread sleeps until the ring holds the audio that completes the next video frame
  (not woken for every input block), drains it, resamples to 16 kHz, hands the audio to the
  audio sinks (the monitor gets the 16 kHz mono signal; a sink with ``native_audio``, the
  recorder, gets the input as it came, `AudioSource.native`: a file's own rate and channels),
  runs features + audio-to-mouth and puts one task per video frame into the render queue
  (bounded; when full the oldest task is dropped, never the audio);
- the render thread takes the newest task (older waiting ones are dropped: each of them is
  already a frame period late), renders it or, in silence, shows the source loop frame,
  and hands the frame to the video sinks.
With `EngineConfig.render_thread` off, the mouth thread renders each frame itself right after
its coefficients (no hand-off, but the next frame's audio waits behind the render).
Measured on this shared 2-core CPU (`benchmarks/bench_live_latency.py`, engines interleaved,
alone and beside a 2-thread process, 3 runs of 3-4 repeats): waking once per frame instead of
per 10 ms block saves 0.5-1 ms of CPU per frame (of about 10); rendering on the mouth thread was
worse at the 95th percentile in two runs and better in one (a starved render delays the next
frame's mouth step instead of overlapping it; repeats differ by more than the variants), so two
threads stay the default and the audio sinks never wait behind a render. A short kernel time
slice for the engine's threads (EEVDF's `sched_setattr` slice) showed no gain in two interleaved
runs and was removed; a 1 or 0.5 ms GIL switch interval, one OpenCV thread instead of two and
two intra-op threads instead of one were tried and not kept (each within the repeat-to-repeat
spread, load 4-9).
Beside a busy process the added latency is waiting for the CPU inside the stages (the benchmark's
compute-vs-wait split), not hand-offs; what helped was less CPU on the frame path (the paste-back)
and the recorder's encoding at a higher nice value (`core.realtime.sinks.RECORDER_NICE`).
The per-frame log (`EngineStats.frame_log`, `core.realtime.stats.frame_breakdown`) splits each
stage's waiting into time on a run queue (Linux schedstat: another thread or process had the CPU)
and the rest (the GIL, locks): on this shared CPU the frames beyond the p95 spend their extra
20-50 ms waiting for a CPU inside the render, the GIL and the hand-offs well under 1 ms of it, and
there is no frame tick to wait for (a frame is rendered when the audio that completes it arrives,
the 10 ms blocks end exactly on the sample a frame needs). So the frame path's threads (source
pacing, mouth, render) ask for a lower nice value (SCHED_FIFO, `EngineConfig.frame_realtime`, else a nice
value, `frame_nice`; `core.realtime.thread_priority`), granted only where the user may (CAP_SYS_NICE,
RLIMIT_NICE / RLIMIT_RTPRIO) and reported per thread; and the
recorder encodes with fast settings (`core.media.mp4_writer.LIVE_ENCODER`, 0.3x the CPU).
The audio clock drives: frame j belongs to audio samples [j/fps, (j+1)/fps), and every
emitted frame is either rendered or counted as dropped (rendered + dropped == emitted).

End-to-end latency of frame j = frame presented (handed to the sinks) - capture time of the
audio sample at frame j's centre (the instant the frame shows, so it is the lip-sync delay a
viewer sees against live sound). It splits into stages that add up to it (`core.realtime.stats`):
audio_lookahead (centre -> the newest sample frame j depends on: feature window, the model's
lookahead, the controls' smoothing lookahead), audio_block (that sample -> its input block
delivered), mouth_compute (block delivered -> coefficients ready), queue, render, sinks; the
waits are split from the computing: `mouth_wake` (block delivered -> the mouth thread runs) and
the CPU time of `mouth_cpu` and `render_cpu` (the rest of a stage's wall time the thread was
runnable but not running, or waiting for the GIL).
Faults (source error, renderer exception, a failing sink) stop the engine cleanly; the recorder
is closed, not discarded.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.audio.resample import StreamingResampler
from core.jobs.events import LiveStatus
from core.mouth.streaming import SILENCE_RMS, MouthStepper
from core.realtime.avatar import Avatar
from core.realtime.clock import Clock, FrameTimeline
from core.realtime.controls import CoefficientFilter, ControlValues, LiveControls
from core.realtime.ring_buffer import AudioRingBuffer
from core.realtime.sinks import VideoSink
from core.realtime.sources import AudioSource
from core.realtime.stats import EngineStats, FrameRecord, RunQueueClock, load_average
from core.realtime.thread_priority import (
    FRAME_PATH_NICE,
    FRAME_PATH_REALTIME,
    frame_path_priority,
    normal_this_thread,
)

_END = object()


class SinkFailed(RuntimeError):
    """A video sink raised (virtual camera gone, recorder disk full)."""


class _StageFailed(RuntimeError):
    """Rendering or a sink failed; the message is the one the report gives."""


@dataclass(frozen=True)
class EngineConfig:
    queue_size: int = 4  # render queue bound (tasks)
    idle_after_frames: int = 6  # silent frames in a row before the source loop is shown as is
    silence_rms: float = SILENCE_RMS
    max_seconds: float | None = None  # stop after this much input audio (the --seconds limit)
    ring_seconds: float = 2.0
    # None: the mouth thread sleeps until the source writes (waking every `check_s` to check the
    # source); a number: it polls the ring that often instead (the old way, kept for comparison)
    poll_s: float | None = None
    check_s: float = 0.05
    status_interval_s: float = 0.5
    # every frame rendered in order, none dropped (a file played without real-time pacing): the
    # mouth thread waits for room in the render queue and the render thread takes the oldest task
    lossless: bool = False
    # sleep until the ring holds the audio that completes the next frame (True), or wake for every
    # input block (False: the way before; the same frames, 4x the wake-ups at 10 ms blocks)
    wake_per_frame: bool = True
    # render on a thread of its own behind the render queue (False: on the mouth thread)
    render_thread: bool = True
    # nice value the frame path's threads (source pacing, mouth, render) ask for; granted only where
    # the user may lower it (`core.realtime.thread_priority.raise_this_thread`); None: left as is
    frame_nice: int | None = FRAME_PATH_NICE
    # SCHED_FIFO priority (1..99) they ask for first, where allowed (`realtime_this_thread`); None: no
    frame_realtime: int | None = FRAME_PATH_REALTIME
    slow_frames_to_step_down: int = 25  # renders in a row over 3/4 of a frame period of CPU


@dataclass
class FrameTask:
    index: int
    coeffs: np.ndarray
    idle: bool
    t_capture: float  # capture time of the audio at the frame's centre
    t_capture_start: float  # ... at the frame's first sample
    t_mouth: float  # when the mouth stage finished it
    t_needed: float = 0.0  # capture time of the newest sample the frame depends on
    t_arrived: float = 0.0  # when that sample's input block was delivered
    t_read: float = 0.0  # when the mouth thread read the block that completed it
    mouth_cpu_ms: float = 0.0  # the mouth thread's CPU time from that read to the coefficients
    mouth_runq_ms: float = float("nan")  # ... and its wait for a CPU (`RunQueueClock`)


@dataclass
class EngineOutcome:
    report: dict
    error: str | None = None
    stop_reason: str = ""


class LiveEngine:
    def __init__(
        self,
        source: AudioSource,
        stepper: MouthStepper,
        avatar: Avatar,
        sinks: list[VideoSink],
        config: EngineConfig = EngineConfig(),
        clock: Clock | None = None,
        controls: LiveControls | None = None,
    ) -> None:
        self.source = source
        self.stepper = stepper
        self.avatar = avatar
        self.sinks = sinks
        self.cfg = config
        self.clock = clock or Clock()
        self.timeline = FrameTimeline(avatar.fps, stepper.rate)
        if abs(stepper.fps - avatar.fps) > 1e-6:
            raise ValueError(f"audio model runs at {stepper.fps} fps but the avatar at {avatar.fps} fps")
        self.ring = AudioRingBuffer(int(config.ring_seconds * source.sample_rate), source.sample_rate)
        for sink in sinks:
            if sink.native_audio:
                sink.input_format(*source.native_format)
        self.stats = EngineStats(fps=avatar.fps)
        self._queue: queue.Queue = queue.Queue(maxsize=config.queue_size)
        self._stop = threading.Event()
        self._errors: list[str] = []
        self._stop_reason = ""
        self._silent_run = 0
        self._resampler = (
            None
            if source.sample_rate == stepper.rate
            else StreamingResampler(source.sample_rate, stepper.rate)
        )
        self._samples16 = 0
        self._native_fed = 0  # native samples handed to the native-audio sinks so far
        self.trace: list[str] = []
        # the control sheet sliders bind to: smoothing/lookahead in the mouth thread (the
        # filter), gain and feather in the render thread, each from its next frame
        self.controls = controls or LiveControls(ControlValues(feather=avatar.feather))
        self._filter = CoefficientFilter(self.controls)
        self._controls_seen = -1
        self._gain = self.controls.requested.gain
        self._level_db = -120.0  # loudness of the newest input block (the level meter)
        self._sink_changes: queue.SimpleQueue = queue.SimpleQueue()  # ("add"|"remove", sink)
        self._closing: list[threading.Thread] = []  # recorders stopped mid-session, finishing
        self._pending: list[FrameTask] = []  # no render thread: the frames the last read completed
        self._read_at = 0.0  # when the mouth thread read the block it is working on
        self._cpu_at_read = 0.0  # its thread CPU time then
        self._runq = RunQueueClock()  # per thread: time spent waiting for a CPU
        self._runq_at_read = 0.0
        self.priority: dict[str, str] = {}  # what each frame-path thread's priority request got
        self._slow_run = 0  # renders in a row that took most of a frame period of CPU
        source.thread_priority = self._priority_request

    # ---- mouth thread ---------------------------------------------------------------------
    def _capture_time(self, index16: float) -> float:
        native = index16 * self.source.sample_rate / self.stepper.rate
        t = self.ring.capture_time(native)
        if t is not None:
            return t
        last = self.ring.written - 1  # a frame padded past the end of the audio
        t_last = self.ring.capture_time(last)
        return (t_last or self.clock.now()) + (native - last) / self.source.sample_rate

    def _needed_times(self, index: int) -> tuple[float, float]:
        """(capture, arrival) of the newest input sample frame `index` depends on: the end of the
        last analysis window of the model's lookahead, plus the smoothing lookahead in force (the
        filter publishes the value it used before the frames reach here). Past the end of the
        audio (a padded frame at the end of a stream) the last sample stands in."""
        ahead = int(self.controls.applied.lookahead)
        needed16 = min(self.stepper.samples_needed(index + ahead), max(self._samples16, 1)) - 1
        native = min(needed16 * self.source.sample_rate / self.stepper.rate, self.ring.written - 1)
        captured = self.ring.capture_time(native)
        arrived = self.ring.arrival_time(native)
        if captured is None or arrived is None:  # stamp recycled (cannot happen within 10 s)
            now = self.clock.now()
            return now, now
        return captured, arrived

    def _emit(self, frames) -> None:
        for f in frames:
            now = self.clock.now()
            self._silent_run = self._silent_run + 1 if f.rms < self.cfg.silence_rms else 0
            needed, arrived = self._needed_times(f.index)
            task = FrameTask(
                f.index,
                f.coeffs,
                self._silent_run > self.cfg.idle_after_frames,
                self._capture_time(self.timeline.frame_centre(f.index)),
                self._capture_time(self.timeline.frame_start(f.index)),
                now,
                needed,
                arrived,
                self._read_at,
                (time.thread_time() - self._cpu_at_read) * 1e3,
                (self._runq.now() - self._runq_at_read) * 1e3,
            )
            self.stats.frames_emitted += 1
            self.stats.add("mouth", (now - task.t_capture) * 1e3)
            self.stats.add("audio_lookahead", (needed - task.t_capture) * 1e3)
            self.stats.add("audio_block", (arrived - needed) * 1e3)
            self.stats.add("mouth_compute", (now - arrived) * 1e3)
            self.stats.add("mouth_wake", max(self._read_at - arrived, 0.0) * 1e3)
            self.stats.add("mouth_cpu", task.mouth_cpu_ms)
            if not self.cfg.render_thread:
                self._pending.append(task)
                continue
            if self.cfg.lossless:
                self._put_waiting(task)
                continue
            while True:
                try:
                    self._queue.put_nowait(task)
                    break
                except queue.Full:
                    try:
                        self._queue.get_nowait()
                        self.stats.count_dropped()
                    except queue.Empty:
                        pass

    def _put_waiting(self, task: FrameTask) -> None:
        """Lossless mode: wait for room; a task the engine stops before placing counts as dropped."""
        while not self._stop.is_set():
            try:
                self._queue.put(task, timeout=0.1)
                return
            except queue.Full:
                pass
        self.stats.count_dropped()

    def _feed(self, samples: np.ndarray, start: int) -> None:
        """Ring samples [start, start + n) (mono, at the source's rate) into sinks and the mouth stage."""
        audio = self._resampler.push(samples) if self._resampler is not None else samples
        stop = start + samples.shape[0]
        if self.cfg.max_seconds is not None:
            audio = audio[: max(int(self.cfg.max_seconds * self.stepper.rate) - self._samples16, 0)]
            stop = min(stop, int(self.cfg.max_seconds * self.source.sample_rate))
        if audio.size == 0 and stop <= start:
            return
        self._apply_sink_changes()
        native = self.source.native(start, stop, samples[: stop - start]) if stop > start else None
        if native is not None:
            self._native_fed = self.source.native_index(stop)
        if audio.size:
            self._samples16 += audio.shape[0]
            rms = float(np.sqrt(np.mean(np.square(audio, dtype=np.float64))))
            self._level_db = 20.0 * float(np.log10(max(rms, 1e-6)))
        for sink in self.sinks:
            if not sink.native_audio:
                if audio.size:
                    sink.audio(audio)
            elif native is not None and native.shape[0]:
                sink.audio(native)
        if audio.size:
            self._emit(self._filter.push(self.stepper.push(audio)))

    def _limit_reached(self) -> bool:
        return self.cfg.max_seconds is not None and self._samples16 >= int(
            self.cfg.max_seconds * self.stepper.rate
        )

    def _priority_request(self) -> str:
        """The calling frame-path thread asks for the configured priority; returns what it got."""
        return frame_path_priority(self.cfg.frame_nice, self.cfg.frame_realtime)

    def _raise_priority(self, thread: str) -> None:
        if self.cfg.frame_nice is not None or self.cfg.frame_realtime is not None:
            self.priority[thread] = self._priority_request()

    def _mouth_loop(self) -> None:
        self._raise_priority("mouth")
        try:
            while not self._stop.is_set():
                self.source.check()
                finished = self.source.finished  # before the read: no sample can come after it
                # before the check and the read: a write after them wakes the wait below
                self.ring.wake_at = self._audio_due() if self.cfg.wake_per_frame and not finished else 0
                self.ring.data_ready.clear()
                if self.ring.written < self.ring.wake_at:  # the next frame's audio is not all in
                    self._sleep()
                    continue
                self._read_at, self._cpu_at_read = self.clock.now(), time.thread_time()
                self._runq_at_read = self._runq.now()
                block = self.ring.read(self.ring.capacity)
                if block.samples.size:
                    self.stats.audio_samples += block.samples.shape[0]
                    self._feed(block.samples, block.start)
                    self._render_pending()
                    if self._limit_reached():
                        self._stop_reason = "time_limit"
                        break
                    continue
                if finished and self.ring.available() == 0:
                    self.source.check()
                    self._stop_reason = "end_of_audio"
                    break
                self._sleep()
            else:
                self._stop_reason = self._stop_reason or "stopped"
            if self._stop_reason in ("end_of_audio", "time_limit"):
                if self._resampler is not None and self._stop_reason == "end_of_audio":
                    tail = self._resampler.flush()
                    self._samples16 += tail.shape[0]
                    for sink in self.sinks:
                        if not sink.native_audio:  # the native sinks had every sample already
                            sink.audio(tail)
                    self._emit(self._filter.push(self.stepper.push(tail)))
                self._emit(self._filter.push(self.stepper.flush()) + self._filter.flush())
                self._render_pending(every=True)  # the frames the end of the audio completed
        except _StageFailed as exc:
            self._fail(str(exc), exc)
        except BaseException as exc:
            self._fail(f"audio input failed: {exc}" if "audio" not in str(exc) else str(exc), exc)
        finally:
            self.stats.thread_cpu["mouth"] = time.thread_time()
            self._runq.close_thread()
            self.stats.count_dropped(len(self._pending))  # stopped before they were rendered
            self._pending = []
            if self.cfg.render_thread:
                self._put_end()

    def _audio_due(self) -> int:
        """Ring samples (written count) that complete the next video frame: the engine thread
        sleeps until then instead of waking for every input block. An upper bound of the 16 kHz
        samples is used (a streaming resampler holds some back), so it may wake one block early,
        never late."""
        need16 = self.stepper.samples_needed(self.stepper.frames_out)
        ratio = self.source.sample_rate / self.stepper.rate
        have16 = self._samples16 + self.ring.available() / ratio
        return self.ring.written + max(int(np.ceil((need16 - have16) * ratio)), 0)

    def _sleep(self) -> None:
        if self.cfg.poll_s is None:
            self.ring.data_ready.wait(self.cfg.check_s)
        else:
            self.clock.sleep_until(self.clock.now() + self.cfg.poll_s)

    def _render_pending(self, every: bool = False) -> None:
        """No render thread: render the frames the last read completed. Normally one; after a stall the
        newest wins (each older one is already a frame period late), unless lossless or `every`
        (the end of the audio completes the lookahead's frames at once, none of them late)."""
        tasks, self._pending = self._pending, []
        if not tasks:
            return
        self.stats.queue_depth.append(len(tasks) - 1)
        if not (every or self.cfg.lossless):
            self.stats.count_dropped(len(tasks) - 1)
            tasks = tasks[-1:]
        for task in tasks:
            if self._stop.is_set() and self._errors:
                self.stats.count_dropped()
                continue
            self._present(task)

    def _put_end(self) -> None:
        while True:
            try:
                self._queue.put(_END, timeout=0.1)
                return
            except queue.Full:
                if self._stop.is_set():
                    with contextlib.suppress(queue.Empty):
                        self._queue.get_nowait()
                        self.stats.count_dropped()  # evicted to make room for the end marker

    def _apply_sink_changes(self) -> None:
        """Mouth thread, at a chunk boundary: attach or detach recorders asked for by `record`.

        The sink list is replaced, never changed in place, so the render thread's loop over the
        old list stays valid. An attached recorder starts at the next frame boundary; a detached
        one is closed (on its own thread) at the frames its audio covers."""
        while True:
            try:
                action, sink = self._sink_changes.get_nowait()
            except queue.Empty:
                return
            if action == "add":
                first = self.timeline.frames_for(self._samples16)
                if sink.native_audio:  # that frame's start in the input's own samples
                    sink.input_format(*self.source.native_format)
                    ring = self.timeline.frame_start(first) * self.source.sample_rate / self.stepper.rate
                    sink.begin_at(first, max(self.source.native_index(ring) - self._native_fed, 0))
                else:
                    sink.begin_at(first, self.timeline.frame_start(first) - self._samples16)
                self.sinks = [*self.sinks, sink]
            elif sink in self.sinks:
                self.sinks = [s for s in self.sinks if s is not sink]
                total = self.timeline.frames_for(self._samples16)
                closing = threading.Thread(
                    target=sink.close, args=(total,), name="recorder-close", daemon=True
                )
                closing.start()
                self._closing.append(closing)

    def record(self, sink: VideoSink) -> None:
        """Start recording into `sink` (a RecorderSink) from the next frame boundary (thread-safe)."""
        self._sink_changes.put(("add", sink))

    def stop_recording(self, sink: VideoSink) -> None:
        """Finish a recording `record` started; the file is complete when `sink.close` returns."""
        self._sink_changes.put(("remove", sink))

    # ---- render thread --------------------------------------------------------------------
    def _take_newest(self) -> tuple[FrameTask | None, bool]:
        task = self._queue.get()
        if task is _END:
            return None, True
        self.stats.queue_depth.append(self._queue.qsize())
        while not self.cfg.lossless:
            try:
                newer = self._queue.get_nowait()
            except queue.Empty:
                return task, False
            if newer is _END:
                return task, True
            self.stats.count_dropped()
            task = newer
        return task, False

    def _render_loop(self) -> None:
        self._raise_priority("render")
        try:
            ended = False
            while not ended:
                task, ended = self._take_newest()
                if task is None:
                    continue
                if self._stop.is_set() and self._errors:
                    self.stats.count_dropped()  # emitted before the fault, never rendered
                    continue
                self._present(task)
        except _StageFailed as exc:
            self._fail(str(exc), exc)
        except BaseException as exc:
            self._fail(f"renderer failed: {type(exc).__name__}: {exc}", exc)
        finally:
            self.stats.thread_cpu["render"] = time.thread_time()
            self._runq.close_thread()

    def _present(self, task: FrameTask) -> None:
        """Render frame `task` (or show the idle loop frame) and hand it to every video sink."""
        try:
            self._apply_render_controls()
            t0, c0, q0 = self.clock.now(), time.thread_time(), self._runq.now()
            self.stats.add("queue", (t0 - task.t_mouth) * 1e3)
            if task.idle:
                frame = self.avatar.idle_frame(task.index)
            else:
                frame, timings = self.avatar.render(task.index, self._gain * task.coeffs)
                for name, ms in timings.items():
                    self.stats.add(name, ms)
            t1 = self.clock.now()
            render_cpu = (time.thread_time() - c0) * 1e3
            render_runq = (self._runq.now() - q0) * 1e3
            self.stats.add("render", (t1 - t0) * 1e3)
            self.stats.add("render_cpu", render_cpu)
            self._keep_up_or_step_down(render_cpu)
            self.stats.count_rendered(t1, task.idle)
            self._to_sinks(task.index, frame)
        except SinkFailed as exc:
            raise _StageFailed(str(exc)) from exc
        except BaseException as exc:
            raise _StageFailed(f"renderer failed at frame {task.index}: {type(exc).__name__}: {exc}") from exc
        t2 = self.clock.now()  # presented: every sink has the frame
        self.stats.add("sinks", (t2 - t1) * 1e3)
        self.stats.add("end_to_end", (t2 - task.t_capture) * 1e3)
        self.stats.add("end_to_end_from_start", (t2 - task.t_capture_start) * 1e3)
        self.stats.add("from_last_sample", (t2 - task.t_needed) * 1e3)
        self.stats.frame_log.append(
            FrameRecord(
                task.index,
                task.idle,
                task.t_capture,
                task.t_needed,
                task.t_arrived,
                task.t_read,
                task.t_mouth,
                t0,
                t1,
                t2,
                task.mouth_cpu_ms,
                render_cpu,
                task.mouth_runq_ms,
                render_runq,
            )
        )

    def _keep_up_or_step_down(self, render_cpu_ms: float) -> None:
        """A renderer that needs most of a frame period of CPU (a heavy avatar on this CPU) would hold
        a core under SCHED_FIFO: after `slow_frames_to_step_down` such frames in a row the presenting
        thread goes back to normal scheduling (at the nice value asked for)."""
        if not self.priority.get("render" if self.cfg.render_thread else "mouth", "").startswith(
            "SCHED_FIFO"
        ):
            return
        slow = render_cpu_ms > 0.75 * 1000.0 / self.avatar.fps
        self._slow_run = self._slow_run + 1 if slow else 0
        if self._slow_run >= self.cfg.slow_frames_to_step_down:
            thread = "render" if self.cfg.render_thread else "mouth"
            got = normal_this_thread(self.cfg.frame_nice)
            self.priority[thread] = f"stepped down from SCHED_FIFO (render slower than real time): {got}"

    def _apply_render_controls(self) -> None:
        """The render thread's controls (gain, the avatar's feather), when a request came in."""
        version = self.controls.version
        if version != self._controls_seen:
            self._controls_seen = version
            wanted = self.controls.requested
            self._gain = np.float32(wanted.gain)
            self.controls.publish(gain=wanted.gain, feather=self.avatar.set_feather(wanted.feather))

    def _to_sinks(self, index: int, frame: np.ndarray) -> None:
        for sink in self.sinks:
            try:
                sink.frame(index, frame)
            except BaseException as exc:
                raise SinkFailed(f"{sink.name} failed: {type(exc).__name__}: {exc}") from exc

    # ---- control --------------------------------------------------------------------------
    def _fail(self, message: str, exc: BaseException) -> None:
        self._errors.append(message)
        self._stop_reason = "error"
        self.trace = traceback.format_exception(exc)
        self._stop.set()

    def stop(self) -> None:
        """Ask the engine to stop (thread-safe); `run` returns after a clean shutdown."""
        self._stop_reason = self._stop_reason or "stopped"
        self._stop.set()

    def run(
        self,
        should_stop: Callable[[], bool] | None = None,
        on_status: Callable[[LiveStatus], None] | None = None,
    ) -> EngineOutcome:
        """Run until the audio ends, the time limit, `should_stop()` or a fault; returns the report."""
        self.stats.load_start = load_average()
        self.stats.cpu_start = time.process_time()
        self.stats.started = self.clock.now()
        mouth = threading.Thread(target=self._mouth_loop, name="live-mouth", daemon=True)
        render = threading.Thread(target=self._render_loop, name="live-render", daemon=True)
        last = render if self.cfg.render_thread else mouth  # the thread that presents frames
        if self.cfg.render_thread:
            render.start()
        mouth.start()
        try:
            self.source.start(self.ring, self.clock)
        except BaseException as exc:
            self._fail(f"audio input failed to start: {exc}", exc)
        try:
            while last.is_alive():
                last.join(timeout=self.cfg.status_interval_s)
                if should_stop is not None and should_stop() and not self._stop.is_set():
                    self.stop()
                for sink in self.sinks:  # a sink failing mid-run (disk full) stops the session
                    err = getattr(sink, "error", None)
                    if err is not None and not self._stop.is_set():
                        self._fail(f"{sink.name} failed: {type(err).__name__}: {err}", err)
                if on_status is not None and last.is_alive():
                    on_status(self.status())
        finally:
            self._stop.set()
            self.source.stop()
            mouth.join(timeout=5.0)
            if self.cfg.render_thread:
                render.join(timeout=5.0)
            self.stats.stopped = self.clock.now()
            self.stats.cpu_end = time.process_time()
            self.stats.load_end = load_average()
            self._apply_sink_changes()  # a stop asked for at the end still closes its file
            for closing in self._closing:
                closing.join()
            sink_info = self._close_sinks()
        return EngineOutcome(self._report(sink_info), "; ".join(self._errors) or None, self._stop_reason)

    def _close_sinks(self) -> dict:
        # every recording ends with its audio, also after a stop or a fault: the frames still in
        # flight (lookahead, queue) repeat the last one, so the mp4's video and audio last as long
        total = self.timeline.frames_for(self._samples16)
        info = {}
        for sink in self.sinks:
            try:
                sink.close(total)
            except BaseException as exc:
                self._errors.append(f"{sink.name} failed to close: {exc}")
            info[sink.name] = sink.info()
            if info[sink.name].get("error") and not any(e.startswith(sink.name) for e in self._errors):
                self._errors.append(f"{sink.name}: {info[sink.name]['error']}")
        return info

    def built_in_latency_ms(self) -> dict[str, float]:
        """The latency the settings imply before any computing (what `audio_lookahead` measures)."""
        frame_ms = 1000.0 / self.avatar.fps
        window = self.stepper.inherent_latency_ms - self.stepper.lookahead * frame_ms
        smoothing = self.controls.applied.lookahead * frame_ms
        block = getattr(self.source, "block", 0) * 1000.0 / self.source.sample_rate
        return {
            "feature_window": window,
            "model_lookahead": self.stepper.lookahead * frame_ms,
            "smoothing_lookahead": smoothing,
            "audio_lookahead": self.stepper.inherent_latency_ms + smoothing,
            "input_block": block,  # the wait for a block averages half of it (`audio_block`)
        }

    def status(self) -> LiveStatus:
        return self.stats.live_status(
            seconds=self._samples16 / self.stepper.rate,
            queue_depth=self._queue.qsize(),
            underruns=self.source.underruns,
            overruns=self.ring.overrun_events,
            level_db=self._level_db,
            controls=self.controls.applied.to_dict(),
            level_shift_db=self._level_shift_db(),
        )

    def _level_shift_db(self) -> float | None:
        """The shift the stepper applies to bring the voice to the clip's level (None: no matching)."""
        level = self.stepper.level
        return None if level is None else round(level.offset_db, 2)

    def _report(self, sink_info: dict) -> dict:
        monitor_underruns = int(sink_info.get("monitor", {}).get("underruns", 0))
        audio = {
            "source": self.source.name,
            "native_rate": self.source.sample_rate,  # what the source hands the engine
            "resampled": self._resampler is not None,  # by the engine, to the model's rate
            # the input as it is (a 48 kHz stereo file is read at 16 kHz mono for the model; its
            # recording keeps this format)
            "input_rate": self.source.native_format[0],
            "input_channels": self.source.native_format[1],
            "seconds": self._samples16 / self.stepper.rate,
            "level_shift_db": self._level_shift_db(),  # speech level matching at the end (core.audio.level)
            "overrun_events": self.ring.overrun_events,
            "overrun_samples": self.ring.overrun_samples,
            "source_underruns": self.source.underruns,
            "source_max_late_ms": self.source.max_late_ms,
            "monitor_underruns": monitor_underruns,
            "underruns": self.source.underruns + monitor_underruns,
        }
        expected = self.timeline.frames_for(self._samples16)
        return self.stats.report(
            audio=audio,
            frames_expected=expected,
            stop_reason=self._stop_reason,
            error="; ".join(self._errors) or None,
            model={
                "lookahead_frames": self.stepper.lookahead,
                "inherent_latency_ms": self.stepper.inherent_latency_ms,
                "audio_backend": self.stepper.backend.name,
            },
            threads={
                "render_thread": self.cfg.render_thread,
                "priority": {**self.priority, "source": getattr(self.source, "priority", "")},
            },
            built_in_latency_ms=self.built_in_latency_ms(),
            sinks=sink_info,
        )
