"""`dhstudio clip sync NAME --project DIR --av-sync auto|off|MS`: change a prepared clip's sound timing
(the clip viewer's Sound sync button)."""

from __future__ import annotations

import argparse
from pathlib import Path

from studio.cli.cmd_prepare import _av_sync
from studio.cli.common import exit_code, run_job
from studio.project import open_project


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("clip", help="change a prepared clip (its sound timing)")
    actions = p.add_subparsers(dest="clip_action", metavar="ACTION", required=True, parser_class=type(p))
    s = actions.add_parser(
        "sync",
        help="set a prepared clip's sound-vs-picture offset without preparing it again",
        description="Measure the clip's sound-vs-picture offset again (auto), keep the file's timing (off) "
        "or set one (MS, > 0: the sound runs late). Training, evaluation and export use it from their next "
        "run; models trained on the clip before keep the timing they learned.",
    )
    s.add_argument("name", help="prepared clip name")
    s.add_argument("--project", required=True, type=Path, help="project folder")
    s.add_argument(
        "--av-sync",
        type=_av_sync,
        required=True,
        metavar="auto|off|MS",
        help="auto measures it again (applied when clear); off keeps the file's timing; MS forces one",
    )
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    s.set_defaults(func=run_sync)


def run_sync(args: argparse.Namespace) -> int:
    from core.face.clip_sync import SoundSyncJob

    project = open_project(args.project)
    result = run_job(SoundSyncJob(project.clip_dir(args.name), args.av_sync), quiet=args.quiet)
    if result.ok:
        print(f"{args.name}: {result.value.describe()}")
    return exit_code(result)
