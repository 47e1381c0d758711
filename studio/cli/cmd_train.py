"""`dhstudio train JOB.toml --project DIR`: run a training job; the run folder is the last line printed."""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import datetime
from pathlib import Path

from core.config.loader import apply_overrides, read_toml, validate
from core.jobs.errors import BadInput
from core.kinds.base import AvatarKind
from core.kinds.registry import avatar_kind
from core.train.lifecycle import run_lifecycle
from core.train.run_folder import RunFolder, RunState, list_runs
from core.train.spec import TrainRequest
from studio.cli.common import add_set_argument, exit_code, run_job
from studio.project import Project, open_project, safe_name


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="train a model from a TOML job file")
    p.add_argument("job", type=Path, help="job file, e.g. training_jobs/audio2mouth.toml")
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


def resolve_clips(project: Project, names: list[str]) -> tuple[Path, ...]:
    if names:
        return tuple(project.clip_dir(n) for n in names)
    clips = project.prepared_clips()
    if not clips:
        raise BadInput(
            f"Project {project.root} has no prepared clips; run `dhstudio prepare VIDEO "
            f"--project {project.root}` first."
        )
    return tuple(clips)


def prepare_run(args: argparse.Namespace, project: Project) -> tuple[AvatarKind, object, RunFolder]:
    """Validate the job file, pick or create the run folder; nothing is written on bad input.

    A new run folder appears all at once (config and status included) or not at all.
    """
    raw = apply_overrides(read_toml(args.job), args.overrides)
    spec = avatar_kind(str(raw.get("kind", "")), str(args.job))
    config = validate(spec.config_model, raw, args.job)
    if args.max_steps is not None and args.max_steps < 1:
        raise BadInput(f"--max-steps must be >= 1 (got {args.max_steps})")
    job_name = safe_name(args.job.stem)
    if launch_rank() > 0:  # under torchrun only rank 0 creates the run folder
        return spec, config, RunFolder(_await_rank0_folder(project, args.run_name))
    if args.resume:
        run_dir = _resume_target(project, spec.name, job_name, args.run_name)
        return spec, config, RunFolder(run_dir)
    name = safe_name(args.run_name) if args.run_name else f"{datetime.now():%Y%m%d-%H%M%S}-{job_name}"
    run_dir = project.layout.run(name)
    if run_dir.exists():
        raise BadInput(
            f"Run folder {run_dir} exists; pass --resume to continue it or choose another --run-name."
        )
    try:
        run = RunFolder(run_dir).create(
            spec.name, config.model_dump(mode="json"), source=str(args.job), job=job_name
        )
    except OSError as exc:
        raise BadInput(
            f"cannot create the run folder {run_dir}: {exc.strerror or exc}; free disk space or make "
            f"{project.runs_dir} writable. Nothing was left behind."
        ) from None
    return spec, config, run


def launch_rank() -> int:
    """This process's rank when started by torchrun (0 otherwise)."""
    return int(os.environ.get("RANK", "0"))


def _await_rank0_folder(project: Project, run_name: str | None, timeout_s: float = 120.0) -> Path:
    """Ranks > 0 share the folder rank 0 creates; its name must be fixed in advance."""
    if not run_name:
        raise BadInput("Under torchrun, pass --run-name NAME so every rank writes to the same run folder.")
    path = project.runs_dir / safe_name(run_name)
    deadline = time.monotonic() + timeout_s
    while not (path / "config.toml").is_file():
        if time.monotonic() > deadline:
            raise BadInput(f"Rank {launch_rank()}: rank 0 did not create {path} within {timeout_s:.0f} s.")
        time.sleep(0.2)
    return path


def _resume_target(project: Project, kind: str, job_name: str, run_name: str | None) -> Path:
    """The named run (or the newest run of this job); it must be a readable run of the job's kind."""
    if run_name:
        path = project.layout.run(safe_name(run_name))
        if not path.is_dir():
            raise BadInput(f"--resume: no run folder {path}")
        status = RunFolder(path).load_status()  # DamagedRun names the file
        if status["kind"] != kind:
            raise BadInput(
                f"--resume: {path} is a '{status['kind']}' run but the job file trains '{kind}'; "
                "give the job file the run was made with."
            )
        return path
    runs = [r for r in list_runs(project.runs_dir) if r.job == job_name and r.kind == kind]
    if not runs:
        raise BadInput(f"--resume: no earlier run of job '{job_name}' in {project.runs_dir}")
    return runs[0].path


def train_request(
    args: argparse.Namespace, project: Project, clips: tuple[Path, ...], run: RunFolder
) -> TrainRequest:
    """The training request for `args` (device, --max-steps, --resume) on `clips` into `run`."""
    return TrainRequest(
        clips=clips,
        run=run,
        device=args.device,
        max_steps=args.max_steps,
        resume=args.resume,
        project_root=project.root,
    )


def run(args: argparse.Namespace) -> int:
    project = open_project(args.project)
    clips = resolve_clips(project, args.clip)
    spec, config, run_folder = prepare_run(args, project)
    main_rank = launch_rank() == 0
    if main_rank:
        run_folder.attach_log()
    request = train_request(args, project, clips, run_folder)
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
