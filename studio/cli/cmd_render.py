"""`dhstudio render RUN --audio WAV --out OUT.mp4 [--audio-model RUN]`: new speech into the user's video."""

from __future__ import annotations

import argparse
from pathlib import Path

from core.jobs.errors import BadInput
from core.lipsync.paste_back import PasteSettings
from core.lipsync.render import RenderJob, RenderRequest
from core.train.run_folder import RunFolder, newest_run
from studio.cli.common import exit_code, run_job


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("render", help="render a lip-synced video from a trained renderer and an audio file")
    p.add_argument("run", type=Path, help="a finished dinet run folder (PROJECT/runs/<run>)")
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
    p.add_argument("--no-color-match", action="store_true", help="paste the render without colour matching")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=run)


def resolve_audio_model(run_dir: Path, given: Path | None) -> Path:
    """The --audio-model run, or the newest finished audio2mouth run of the renderer's project."""
    if given is not None:
        if not given.exists():
            raise BadInput(f"--audio-model {given} does not exist; give an audio2mouth run folder.")
        return given
    runs_dir = run_dir.resolve().parent
    found = newest_run(runs_dir, "audio2mouth")
    if found is None:
        raise BadInput(
            f"No finished audio-to-mouth run in {runs_dir}. Train one with `dhstudio train "
            f"training_jobs/audio2mouth.toml --project {runs_dir.parent}` or pass --audio-model RUN."
        )
    return found


def run(args: argparse.Namespace) -> int:
    if not args.run.is_dir():
        raise BadInput(f"{args.run} is not a run folder; give PROJECT/runs/<run> of a dinet training run.")
    audio_model = resolve_audio_model(args.run, args.audio_model)
    if RunFolder(args.run).kind == "gaussian":  # Gaussian avatars: core.gaussians.train.render_audio
        from core.gaussians.train.render_audio import GaussianAudioRenderJob, GaussianRenderRequest

        request = GaussianRenderRequest(args.run, args.audio, args.out, audio_model, args.device)
        result = run_job(GaussianAudioRenderJob(request), quiet=args.quiet)
        if result.ok:
            print(result.value)
        return exit_code(result)
    request = RenderRequest(
        args.run,
        args.audio,
        args.out,
        audio_model,
        args.clip,
        args.device,
        paste=PasteSettings(color_match=not args.no_color_match),
    )
    result = run_job(RenderJob(request), quiet=args.quiet)
    if result.ok:
        print(result.value)
    return exit_code(result)
