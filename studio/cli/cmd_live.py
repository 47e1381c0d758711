"""`dhstudio live RUN (--mic | --audio-file WAV)`: drive the avatar in real time, with a status line."""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from core.io.output_paths import check_output_file
from core.jobs.errors import BadInput
from core.jobs.message import Text
from core.kinds.audio_model import resolve_audio_run
from core.kinds.registry import kind_of_run
from studio.cli.common import add_audio_model_argument, exit_code, run_job
from studio.cli.live_window import Window, display_problem


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "live", help="drive a lip-sync or Gaussian avatar from the microphone or an audio file in real time"
    )
    p.add_argument("run", type=Path, nargs="?", help="avatar run folder (lip-sync or Gaussian) or bundle")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--mic", action="store_true", help="use the microphone (see --input-device)")
    src.add_argument("--audio-file", type=Path, metavar="WAV", help="play this audio file at real-time pace")
    src.add_argument("--list-devices", action="store_true", help="list audio inputs and exit")
    p.add_argument("--input-device", help="microphone index or name (default: the system default)")
    p.add_argument("--seconds", type=float, help="stop after this many seconds of audio")
    p.add_argument(
        "--backend",
        default="auto",
        choices=["auto", "torch", "torchscript", "onnx", "native"],
        help="model runtime (auto: the renderer on the fused C++ kernel on an x86-64 CPU with AVX2 when "
        "built and the model is DINet mini without attention, else ONNX Runtime when installed, else "
        "PyTorch)",
    )
    p.add_argument("--device", default="cpu", choices=["auto", "cpu", "cuda"])
    p.add_argument("--record", type=Path, metavar="OUT.mp4", help="record the avatar with the input audio")
    p.add_argument("--report", type=Path, metavar="OUT.json", help="write the latency/fps report here")
    p.add_argument("--no-display", action="store_true", help="no preview window")
    p.add_argument("--monitor", action="store_true", help="play the input audio delayed to match the video")
    p.add_argument(
        "--virtual-camera", action="store_true", help="send frames to a virtual camera (pyvirtualcam)"
    )
    add_audio_model_argument(p)
    p.add_argument(
        "--cpu-threads",
        type=int,
        default=0,
        metavar="N",
        help="intra-op CPU threads for the models (default 0: chosen from the cores free now)",
    )
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=run)


def _device(value: str | None) -> int | str | None:
    if value is None:
        return None
    return int(value) if value.isdigit() else value


def list_devices() -> int:
    from core.realtime.sources import import_sounddevice, list_input_devices

    sd = import_sounddevice()  # BadInput naming PortAudio when the library is missing
    try:
        devices = list_input_devices()
    except sd.PortAudioError as exc:
        raise BadInput(
            Text("cannot list audio devices: {exc}; is PortAudio working (`dhstudio doctor`)?", exc=exc)
        ) from None
    if not devices:
        print("no audio input devices found; plug in a microphone, or drive the avatar with --audio-file WAV")
    for d in devices:
        print(f"{d['index']:3d}  {d['name']}  ({int(d['default_samplerate'])} Hz)")
    return 0


def check_outputs(args: argparse.Namespace) -> None:
    if args.record is not None:
        check_output_file(args.record, "--record", (".mp4",))
    if args.report is not None:
        check_output_file(args.report, "--report", (".json",))


def run(args: argparse.Namespace) -> int:
    from core.export.bundle_format import bundle_kind, check_bundle_backend, is_bundle
    from core.realtime.job import LiveRequest

    if args.list_devices:
        return list_devices()
    if args.run is None:
        raise BadInput(
            Text("give the avatar run folder: dhstudio live PROJECT/runs/<run> --audio-file WAV (or --mic)")
        )
    if args.seconds is not None and not (math.isfinite(args.seconds) and args.seconds > 0):
        raise BadInput(
            Text("--seconds must be a number of seconds > 0 (got {seconds})", seconds=args.seconds)
        )
    bundle = is_bundle(args.run)  # an exported avatar bundle runs on its own models, no project
    kind = bundle_kind(args.run) if bundle else kind_of_run(args.run)
    if bundle:
        check_bundle_backend(args.backend, args.run)
    check_outputs(args)
    no_display = args.no_display
    if not no_display:
        problem = display_problem()
        if problem:
            print(
                f"note: no preview window ({problem}); running headless as with --no-display", file=sys.stderr
            )
            no_display = True
    if args.mic and args.seconds is None and args.record is not None:
        print("recording until Ctrl-C", file=sys.stderr)
    audio_run = None if bundle else resolve_audio_run(args.run, args.audio_model, kind)
    if not bundle:
        kind.check_weights(args.run)
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
        preview_fps=0.0 if no_display else 10.0,
        monitor=args.monitor,
        virtual_camera=args.virtual_camera,
        cpu_threads=max(args.cpu_threads, 0),
    )
    job = kind.live_job(request)
    runner_display = None if no_display else Window()
    result = run_job(job, quiet=args.quiet) if runner_display is None else runner_display.run(job, args.quiet)
    report = getattr(job, "report", None)
    if report is not None and not args.quiet:
        r = report
        e2e = r["latency_ms"]["end_to_end"]
        print(
            json.dumps(
                {
                    "fps": round(r["fps_rendered"], 2),
                    "frames": r["frames"],
                    "e2e_p95_ms": round(e2e.get("p95", 0.0), 1),
                    "cpu_ms_per_frame": round(r["cpu"]["process_ms_per_frame"], 2),
                    "underruns": r["audio"]["underruns"],
                    "stop": r["stop_reason"],
                }
            )
        )
    return exit_code(result)
