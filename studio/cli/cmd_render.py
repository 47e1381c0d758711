"""`dhstudio render RUN --audio WAV --out OUT.mp4 [--audio-model RUN]`: new speech into the user's avatar.

The run's kind supplies the render job through the kind registry; kinds driven by an audio-to-mouth
model get the one named by --audio-model or the project's newest usable one (`core.kinds.audio_model`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from core.io.output_paths import check_output_file
from core.kinds.audio_model import resolve_audio_run
from core.kinds.registry import kind_of_run
from core.kinds.requests import RenderRequest
from studio.cli.common import exit_code, run_job


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("render", help="render a lip-synced video from a trained avatar and an audio file")
    p.add_argument(
        "run",
        type=Path,
        help="a finished avatar run folder (PROJECT/runs/<run>) or an exported avatar bundle",
    )
    p.add_argument("--audio", required=True, type=Path, help="speech to put in the mouth (WAV, mp3, m4a...)")
    p.add_argument("--out", required=True, type=Path, help="output mp4")
    p.add_argument(
        "--audio-model",
        type=Path,
        help="audio2mouth run folder (default: the project's newest finished audio2mouth run)",
    )
    p.add_argument(
        "--clip", type=Path, help="prepared clip folder to play (default: the renderer's training clip)"
    )
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    p.add_argument(
        "--backend",
        default="auto",
        choices=["auto", "torch", "torchscript", "onnx", "native"],
        help="model runtime, as live takes it: a lip-sync run's renderer (auto: the fused C++ kernel on "
        "an x86-64 CPU with AVX2 when built and it runs the model, else ONNX Runtime when installed, else "
        "PyTorch), a "
        "Gaussian run's audio model (auto: eager)",
    )
    p.add_argument("--no-color-match", action="store_true", help="paste the render without colour matching")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from core.export.bundle_format import is_bundle

    if is_bundle(args.run):  # an exported avatar bundle: its own models and loop, no project
        return _render_bundle(args)
    kind = kind_of_run(args.run)
    check_output_file(args.out, "--out", (".mp4",))
    audio_run = resolve_audio_run(args.run, args.audio_model, kind)
    kind.check_weights(args.run)
    request = RenderRequest(
        args.run,
        args.audio,
        args.out,
        audio_run,
        args.clip,
        args.device,
        color_match=not args.no_color_match,
        backend=args.backend,
    )
    result = run_job(kind.render_job(request), quiet=args.quiet)
    if result.ok:
        print(result.value)
    return exit_code(result)


def _render_bundle(args: argparse.Namespace) -> int:
    from core.export.bundle_format import check_bundle_backend, read_bundle
    from core.export.bundle_render import BundleRenderJob, BundleRenderRequest

    read_bundle(args.run)
    check_bundle_backend(args.backend, args.run)
    check_output_file(args.out, "--out", (".mp4",))
    result = run_job(
        BundleRenderJob(BundleRenderRequest(args.run, args.audio, args.out, args.device)), args.quiet
    )
    if result.ok:
        print(result.value)
    return exit_code(result)
