"""`dhstudio clip list|rename|remove|sync --project DIR ...`: the media panel's and the clip viewer's
clip actions (list the clips, rename one, remove one, change a prepared clip's sound timing)."""

from __future__ import annotations

import argparse
from pathlib import Path

from core.jobs.message import Text
from studio.cli.cmd_prepare import _av_sync
from studio.cli.common import exit_code, run_job
from studio.project import open_project


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("clip", help="list, rename or remove a project's clips, or set a clip's sound timing")
    actions = p.add_subparsers(dest="clip_action", metavar="ACTION", required=True, parser_class=type(p))
    ls = actions.add_parser("list", help="the project's clips: state, video and sound timing")
    ls.add_argument("--project", required=True, type=Path, help="project folder")
    ls.set_defaults(func=run_list)
    mv = actions.add_parser(
        "rename", help="rename a clip (its video in media/ and its prepared folder; runs keep their names)"
    )
    mv.add_argument("name", help="clip name")
    mv.add_argument("new_name", help="the new name")
    mv.add_argument("--project", required=True, type=Path, help="project folder")
    mv.set_defaults(func=run_rename)
    rm = actions.add_parser(
        "remove", help="delete a clip's video from media/ and its prepared folder (trained runs are kept)"
    )
    rm.add_argument("name", help="clip name")
    rm.add_argument("--project", required=True, type=Path, help="project folder")
    rm.set_defaults(func=run_remove)
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


def _entry(project, name: str):
    from core.jobs.errors import BadInput
    from studio.gui.media_library import clip_entries

    entries = {e.name: e for e in clip_entries(project, read=False)}
    if name not in entries:
        have = ", ".join(entries) or "none"
        raise BadInput(
            Text(
                "No clip named '{name}' in {project} (clips: {have}). `dhstudio clip list` lists them.",
                name=name,
                project=project.root,
                have=have,
            )
        )
    return entries[name]


def run_list(args: argparse.Namespace) -> int:
    from core.face.prepared import PreparedClip
    from studio.gui.media_library import clip_entries

    project = open_project(args.project)
    entries = clip_entries(project, read=False)
    if not entries:
        print(f"no clips in {project.root}: add one with `dhstudio prepare VIDEO --project {project.root}`")
    for e in entries:
        line = f"{e.name}\t{e.state.value}\t{e.video.name}"
        if project.layout.is_prepared_clip(e.name):
            clip = PreparedClip.load(project.clip_dir(e.name))
            line += f"\t{clip.av_offset.describe() if clip.has_audio else 'no sound track'}"
        print(line)
    return 0


def run_rename(args: argparse.Namespace) -> int:
    from studio.gui.media_library import rename_clip

    project = open_project(args.project)
    new = rename_clip(project, _entry(project, args.name), args.new_name)
    print(f"renamed '{args.name}' to '{new}'")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    from studio.gui.media_library import remove_clip

    project = open_project(args.project)
    entry = _entry(project, args.name)
    remove_clip(project, entry)
    print(f"removed '{args.name}': {entry.video.name} and its prepared folder (trained runs kept)")
    return 0
