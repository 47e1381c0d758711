"""`dhstudio train JOB.toml --project DIR`: run a training job; the run folder is the last line printed."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.config.loader import job_file
from core.train.lifecycle import run_lifecycle
from core.train.run_folder import RunState
from studio.cli.common import add_set_argument, exit_code, run_job
from studio.project import open_project
from studio.training_runs import (
    RunOrder,
    launch_rank,
    prepare_run,
    resolve_clips,
    resume_clips,
    train_request,
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="train a model from a TOML job file")
    p.add_argument(
        "job",
        type=job_file,
        help="job file (e.g. my_job.toml) or a preset's name (e.g. dinet_mini, audio2mouth: "
        "the files in training_jobs/)",
    )
    p.add_argument("--project", required=True, type=Path, help="project folder")
    p.add_argument(
        "--clip", action="append", default=[], help="prepared clip name (repeatable; default: all)"
    )
    add_set_argument(p, "override a config value, e.g. --set train.lr=1e-4")
    p.add_argument("--max-steps", type=int, help="cap the number of training steps (smoke runs)")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    p.add_argument("--run-name", help="run folder name (default: time stamp + job name)")
    p.add_argument("--resume", action="store_true", help="continue the named (or newest) run of this job")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=run)


def order_of(args: argparse.Namespace) -> RunOrder:
    """The run order the command line asked for."""
    return RunOrder(
        job=args.job,
        overrides=list(args.overrides),
        max_steps=args.max_steps,
        device=args.device,
        run_name=args.run_name,
        resume=args.resume,
    )


def run(args: argparse.Namespace) -> int:
    project = open_project(args.project)
    clips = () if args.resume else resolve_clips(project, args.clip)
    order = order_of(args)
    spec, config, run_folder = prepare_run(order, project, clips)
    if args.resume:  # the clips the run was started on, unless --clip says otherwise
        clips = resume_clips(project, args.clip, run_folder)
    main_rank = launch_rank() == 0
    if main_rank:
        run_folder.attach_log()
    request = train_request(order, project, clips, run_folder)
    quiet = args.quiet or not main_rank
    if not main_rank:  # only rank 0 keeps the run's status
        try:
            return exit_code(run_job(spec.train_job(config, request), quiet=quiet))
        finally:
            run_folder.close()
    with run_lifecycle(run_folder, resume=args.resume, created=not args.resume) as life:
        result = run_job(spec.train_job(config, request), quiet=quiet)
        left = life.settle(result)
    if left is None:
        print(f"removed the run folder {run_folder.path}: nothing was trained", file=sys.stderr)
    else:
        if args.resume and not result.ok and left is not RunState.FAILED:
            print(f"the run {run_folder.path} is left as it was ({left.value})", file=sys.stderr)
        print(run_folder.path)
    return exit_code(result)
