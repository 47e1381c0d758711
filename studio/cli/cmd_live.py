"""`dhstudio live RUN (--mic | --audio-file WAV)`: drive the avatar in real time, with a status line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from studio.cli.common import exit_code, run_job


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "live", help="drive a lip-sync avatar from the microphone or an audio file in real time"
    )
    p.add_argument("run", type=Path, nargs="?", help="lip-sync (dinet) run folder")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--mic", action="store_true", help="use the microphone (see --input-device)")
    src.add_argument("--audio-file", type=Path, metavar="WAV", help="play this audio file at real-time pace")
    src.add_argument("--list-devices", action="store_true", help="list audio inputs and exit")
    p.add_argument("--input-device", help="microphone index or name (default: the system default)")
    p.add_argument("--seconds", type=float, help="stop after this many seconds of audio")
    p.add_argument("--backend", default="torch", choices=["torch", "torchscript", "onnx"])
    p.add_argument("--device", default="cpu", choices=["auto", "cpu", "cuda"])
    p.add_argument("--record", type=Path, metavar="OUT.mp4", help="record the avatar with the input audio")
    p.add_argument("--report", type=Path, metavar="OUT.json", help="write the latency/fps report here")
    p.add_argument("--no-display", action="store_true", help="no preview window")
    p.add_argument("--monitor", action="store_true", help="play the input audio delayed to match the video")
    p.add_argument(
        "--virtual-camera", action="store_true", help="send frames to a virtual camera (pyvirtualcam)"
    )
    p.add_argument(
        "--audio-model",
        type=Path,
        metavar="RUN",
        help="audio-to-mouth run (default: the project's newest finished one)",
    )
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=run)


def _device(value: str | None) -> int | str | None:
    if value is None:
        return None
    return int(value) if value.isdigit() else value


def run(args: argparse.Namespace) -> int:
    from core.jobs.errors import BadInput
    from core.realtime.job import LiveJob, LiveRequest

    if args.list_devices:
        from core.realtime.sources import list_input_devices

        for d in list_input_devices():
            print(f"{d['index']:3d}  {d['name']}  ({int(d['default_samplerate'])} Hz)")
        return 0
    if args.run is None:
        raise BadInput(
            "give the lip-sync run folder: dhstudio live PROJECT/runs/<run> --audio-file WAV (or --mic)"
        )
    if args.seconds is not None and args.seconds <= 0:
        raise BadInput(f"--seconds must be > 0 (got {args.seconds})")
    if args.mic and args.seconds is None and args.record is not None:
        print("recording until Ctrl-C", file=sys.stderr)
    from studio.cli.cmd_render import resolve_audio_model

    audio_run = resolve_audio_model(args.run, args.audio_model) if args.run.is_dir() else args.audio_model
    request = LiveRequest(
        run=args.run,
        audio_run=audio_run,
        audio_file=args.audio_file,
        input_device=_device(args.input_device),
        seconds=args.seconds,
        backend=args.backend,
        device=args.device,
        record=args.record,
        report=args.report,
        preview_fps=0.0 if args.no_display else 10.0,
        monitor=args.monitor,
        virtual_camera=args.virtual_camera,
    )
    job = LiveJob(request)
    runner_display = None if args.no_display else _Window()
    result = run_job(job, quiet=args.quiet) if runner_display is None else runner_display.run(job, args.quiet)
    if job.report is not None and not args.quiet:
        r = job.report
        e2e = r["latency_ms"]["end_to_end"]
        print(
            json.dumps(
                {
                    "fps": round(r["fps_rendered"], 2),
                    "frames": r["frames"],
                    "e2e_p95_ms": round(e2e.get("p95", 0.0), 1),
                    "underruns": r["audio"]["underruns"],
                    "stop": r["stop_reason"],
                }
            )
        )
    return exit_code(result)


class _Window:
    """Shows preview events in an OpenCV window; turns itself off where there is no display."""

    def __init__(self) -> None:
        self.enabled = True

    def run(self, job, quiet: bool):
        from core.jobs.events import Preview
        from studio.console_runner import ConsoleRunner

        runner = ConsoleRunner(quiet=quiet)
        forward = runner._on_event

        def on_event(event) -> None:
            if isinstance(event, Preview) and self.enabled:
                self._show(event.image)
            forward(event)

        runner._on_event = on_event  # type: ignore[method-assign]
        try:
            return runner.run(job)
        finally:
            if self.enabled:
                try:
                    import cv2

                    cv2.destroyAllWindows()
                except Exception:
                    pass

    def _show(self, rgb) -> None:
        try:
            import cv2

            cv2.imshow("dhstudio live", rgb[..., ::-1])
            cv2.waitKey(1)
        except Exception:
            self.enabled = False
