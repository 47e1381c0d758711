"""The live session as a job: load models, open the audio input and sinks, run the engine, write the report.

Progress events count frames; `LiveStatus` events carry fps, drops, latency, queue and
under/overruns a few times a second (runners format them); previews carry the newest frame
at most `preview_fps` times a second (the GUI view and the CLI window read those, never the
engine's queues). Cancel stops the engine at once; the
recording made so far is kept. Faults end the job with a clear message after the report
and the recording have been written. The avatar's prepared clip (its source frames) is held for
reading (`core.io.claim.ClipReads`) from loading to the session's end.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from core.io import atomic
from core.io.claim import ClipReads
from core.jobs.context import JobContext
from core.jobs.errors import BadInput
from core.jobs.events import LiveStatus
from core.jobs.job import Job
from core.jobs.message import Text

if TYPE_CHECKING:
    import torch

    from core.realtime.assembly import LiveParts


@dataclass(frozen=True)
class LiveRequest:
    run: Path  # avatar run folder (a kind with a live factory)
    audio_run: Path | None = None  # default: the project's newest finished audio2mouth run
    audio_file: Path | None = None  # None -> microphone
    input_device: int | str | None = None
    seconds: float | None = None
    backend: str = "auto"  # core.realtime.backends.BACKENDS
    device: str = "cpu"
    record: Path | None = None
    report: Path | None = None
    preview_fps: float = 10.0
    monitor: bool = False
    virtual_camera: bool = False
    max_loop_frames: int = 300
    cpu_threads: int = 0  # torch / ONNX Runtime intra-op threads; 0 = auto from the free cores


class LiveFailed(RuntimeError):
    """The engine stopped on a fault; the message says which and what was kept."""


# (request, device, audio run, scratch folder, the session's clip holds) -> the engine's parts
PartsBuilder = Callable[[LiveRequest, "torch.device", Path, Path, ClipReads], "LiveParts"]


def lipsync_parts(
    req: LiveRequest, device: torch.device, audio_run: Path, work: Path, reads: ClipReads | None = None
) -> LiveParts:
    """Engine parts for a lip-sync run: renderer + source loop + references, audio model, backends."""
    from core.realtime import loading
    from core.realtime.assembly import build_live_parts

    renderer, loop, refs = loading.load_lipsync(req.run, device, req.max_loop_frames, reads)
    audio = loading.load_audio_model(audio_run, loop.fps)
    return build_live_parts(audio, renderer, loop, req.backend, device, work, refs)


class LiveJob(Job):
    """One live session; `build_parts` is the avatar kind's (its registry entry passes it)."""

    name = "live"

    def __init__(self, request: LiveRequest, build_parts: PartsBuilder = lipsync_parts) -> None:
        self.req = request
        self.build_parts = build_parts
        self.report: dict | None = None
        self.slot = None  # the newest-frame slot while running: a GUI view polls it on its own timer
        self.engine = None  # the running engine (its `controls` sheet binds sliders); None otherwise
        self._error: str | None = None  # the engine's fault, raised once the report is written

    def make_source(self):
        """The request's audio input (opens nothing yet); a missing device is BadInput here."""
        from core.realtime import sources

        if self.req.audio_file is not None:
            return sources.file_source(self.req.audio_file, seconds=self.req.seconds)
        return sources.MicSource(self.req.input_device)

    def run(self, ctx: JobContext) -> dict:
        from core.compute.threads import use_cpu_threads

        # the studio's thread policy (core.compute.threads): chosen from the cores free now, set
        # before the backends are built (ONNX Runtime sessions take torch's count) and kept for
        # the engine's threads, which start after it
        with use_cpu_threads(self.req.cpu_threads) as threads, ClipReads("live session", "go live") as reads:
            ctx.log(f"{threads.threads} CPU thread(s) for torch: {threads.reason}")
            report = self._run(ctx, reads)
            report["cpu_threads"] = {"threads": threads.threads, "reason": threads.reason}
        if self.req.report is not None:
            atomic.write_json(self.req.report, report)
            ctx.artifact(self.req.report, "report")
        if self._error:
            raise LiveFailed(self._error)
        ctx.checkpoint()  # a cancel during the run ends as cancelled, after the outputs are written
        return report

    def _run(self, ctx: JobContext, reads: ClipReads) -> dict:
        from core.device import resolve_device
        from core.export.bundle_format import is_bundle
        from core.kinds.audio_model import resolve_audio_run
        from core.realtime.engine import EngineConfig, LiveEngine
        from core.realtime.sinks import AudioMonitor, FrameSlot, RecorderSink, VirtualCameraSink

        req = self.req
        device = resolve_device(req.device)
        if req.record is not None and req.record.suffix.lower() != ".mp4":
            raise BadInput(Text("--record must name an .mp4 file (got {record})", record=req.record))
        ctx.progress(0, None, "loading models")
        if is_bundle(req.run):  # an exported avatar bundle: its own ONNX models, no project needed
            from core.export.bundle_runtime import bundle_live_parts, open_bundle

            opened = open_bundle(req.run, device.type)
            audio_run = None  # the bundle carries its audio model

            def build(work: Path) -> LiveParts:
                return bundle_live_parts(opened)
        else:
            audio_run = req.audio_run or resolve_audio_run(req.run, None)

            def build(work: Path) -> LiveParts:
                return self.build_parts(req, device, audio_run, work, reads)

        source = self.make_source()  # opens nothing yet; a missing device is reported here
        with tempfile.TemporaryDirectory(prefix="dhstudio-live-") as work:
            try:
                parts = build(Path(work))
            except BadInput:
                raise
            except Exception as exc:
                raise BadInput(
                    Text(
                        "the models of {run} could not be prepared for the {backend} backend: "
                        "{error_type}: {exc}",
                        run=req.run,
                        backend=req.backend,
                        error_type=type(exc).__name__,
                        exc=exc,
                    )
                ) from None
            slot = self.slot = FrameSlot()
            sinks = [slot]
            try:
                if req.record is not None:
                    sinks.append(
                        RecorderSink.for_source(req.record, parts.avatar.frame_size, parts.avatar.fps, source)
                    )
                if req.virtual_camera:
                    sinks.append(VirtualCameraSink(parts.avatar.frame_size, parts.avatar.fps))
                if req.monitor:
                    delay = parts.stepper.inherent_latency_ms + 1000.0 / parts.avatar.fps
                    sinks.append(AudioMonitor(delay))
            except BaseException:
                for s in sinks:
                    s.close()
                raise
            engine = LiveEngine(
                source,
                parts.stepper,
                parts.avatar,
                sinks,
                EngineConfig(
                    max_seconds=req.seconds if req.audio_file is None else None,
                    status_interval_s=min(0.5, 1.0 / req.preview_fps) if req.preview_fps > 0 else 0.5,
                ),
            )
            self.engine = engine
            expected = None
            if req.audio_file is not None:
                expected = engine.timeline.frames_for(int(source.duration * parts.stepper.rate))
            seen = [-1]

            def on_status(status: LiveStatus) -> None:
                ctx.emit(status)
                ctx.progress(status.rendered + status.dropped, expected)
                latest = slot.latest(seen[0])
                if latest is not None and req.preview_fps > 0:
                    seen[0] = latest[0]
                    ctx.preview("live", latest[1][1][..., ::-1])

            try:
                outcome = engine.run(should_stop=lambda: ctx.control.cancelled, on_status=on_status)
            finally:
                self.engine = None
        report = {
            **outcome.report,
            "run": str(req.run),
            "audio_run": str(audio_run) if audio_run is not None else None,
            **parts.describe(),
            "device": str(device),
            "recording": str(req.record) if req.record else None,
        }
        self.report = report
        if req.record is not None and Path(req.record).is_file():
            ctx.artifact(req.record, "recording")
        self._error = None
        if outcome.error:
            kept = (
                f"; the recording so far is in {req.record}"
                if req.record and Path(req.record).is_file()
                else ""
            )
            self._error = f"live session stopped: {outcome.error}{kept}"
        return report
