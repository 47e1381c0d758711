"""`dhstudio prepare VIDEO --project DIR [--name CLIP] [--fps 25] [--mouth-size 128] [--av-sync auto]`:
video -> clip."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from core.jobs.errors import BadInput
from core.lipsync.geometry import ALLOWED_MOUTH_SIZES
from studio.cli.common import exit_code, run_job
from studio.project import open_project, safe_name

if TYPE_CHECKING:
    from core.mouth.av_sync import AvSync


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("prepare", help="track a talking-head video into a prepared clip of a project")
    p.add_argument(
        "video", type=Path, help="video file (mp4, mov, mkv...) with one speaker facing the camera"
    )
    p.add_argument(
        "--project", required=True, type=Path, help="project folder (create it with `dhstudio new`)"
    )
    p.add_argument("--name", help="clip name (default: the video's file name)")
    p.add_argument("--fps", type=float, default=25.0, help="constant output frame rate (default 25)")
    p.add_argument(
        "--mouth-size",
        type=int,
        default=128,
        choices=ALLOWED_MOUTH_SIZES,
        help="mouth region size in pixels for the lip-sync crops (default 128)",
    )
    p.add_argument(
        "--av-sync",
        type=_av_sync,
        default="auto",
        metavar="auto|off|MS",
        help="the sound-vs-picture offset: auto measures it and re-times the training pairs when it is "
        "clear; off keeps the file's timing; MS forces one (milliseconds, > 0: the sound runs late)",
    )
    p.add_argument(
        "--force", action="store_true", help="replace a prepared clip of the same name (runs trained on it)"
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def _av_sync(text: str) -> AvSync:
    from core.mouth.av_sync import parse_av_sync  # NumPy: not for `--help` (tests/studio/test_cli_startup.py)

    try:
        return parse_av_sync(text)
    except BadInput as exc:  # argparse says it as a usage error: exit 2
        raise argparse.ArgumentTypeError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    from core.face.prepare_job import PrepareJob, PrepareSettings  # OpenCV and the tracker: only when run
    from core.face.prepared import PreparedClip

    project = open_project(args.project)
    name = safe_name(args.name or args.video.stem)
    project.check_clip_name_free(name, args.force)
    settings = PrepareSettings(fps=args.fps, mouth_size=args.mouth_size, av_sync=args.av_sync)
    job = PrepareJob(args.video, project.layout.clip(name), settings)
    result = run_job(job, quiet=args.quiet)
    if result.ok:
        original = project.import_media(args.video, name)  # the layout keeps imported originals
        project.add_clip(name)
        print(f"prepared clip '{name}': {result.value} (original: {original})")
        clip = PreparedClip.load(result.value)
        if clip.has_audio:
            print(clip.av_offset.describe())
    return exit_code(result)
