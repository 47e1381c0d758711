"""Starting a training run, shared by `dhstudio train`, the training panel and the ablation runner.

A run order is what a user asked for (job file, `--set` edits, step cap, device, run name, resume);
:func:`prepare_run` turns it into the validated config and the run folder exactly once, so a run
started from the window is the run the command line would have made.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from core.config.loader import apply_overrides, read_toml, validate
from core.io.output_paths import check_output_folder
from core.jobs.errors import BadInput
from core.jobs.message import Text
from core.kinds.base import AvatarKind
from core.kinds.registry import avatar_kind
from core.train.run_folder import RunFolder, list_runs
from core.train.spec import TrainRequest
from studio.project import Project, safe_name


@dataclass(frozen=True)
class RunOrder:
    """One request to train: what `dhstudio train` parses and what the panel collects."""

    job: Path
    overrides: list[str] = field(default_factory=list)
    max_steps: int | None = None
    device: str = "auto"
    run_name: str | None = None
    resume: bool = False


def resolve_clips(project: Project, names: list[str]) -> tuple[Path, ...]:
    """The named prepared clips of `project` (all of them when no name is given)."""
    if names:
        return tuple(project.clip_dir(n) for n in names)
    clips = project.prepared_clips()
    if not clips:
        raise BadInput(
            Text(
                "Project {project} has no prepared clips; run `dhstudio prepare VIDEO --project "
                "{project}` first.",
                project=project.root,
            )
        )
    return tuple(clips)


def resume_clips(project: Project, names: list[str], run: RunFolder) -> tuple[Path, ...]:
    """The clips a resumed run trains on: those asked for, else the ones it was started on (its
    status's `clips`), else, for a run made before they were recorded, every prepared clip."""
    recorded = run.read_status().get("clips")
    if not names and isinstance(recorded, list) and recorded:
        return resolve_clips(project, [str(c) for c in recorded])
    return resolve_clips(project, names)


def prepare_run(
    order: RunOrder, project: Project, clips: tuple[Path, ...] = ()
) -> tuple[AvatarKind, object, RunFolder]:
    """Validate the job file, pick or create the run folder; nothing is written on bad input.

    A new run folder appears all at once (config and status included, with the names of `clips`,
    which a resume trains on again) or not at all.
    """
    raw = apply_overrides(read_toml(order.job), order.overrides)
    spec = avatar_kind(str(raw.get("kind", "")), str(order.job))
    config = validate(spec.config_model, raw, order.job, list(order.overrides))
    if order.max_steps is not None and order.max_steps < 1:
        raise BadInput(Text("--max-steps must be >= 1 (got {steps})", steps=order.max_steps))
    job_name = safe_name(order.job.stem)
    if launch_rank() > 0:  # under torchrun only rank 0 creates the run folder
        run_dir = _await_rank0_folder(project, order.run_name)
        if order.resume:  # every rank refuses what rank 0 refuses, none waits for it in training
            _check_step_cap(run_dir, order.max_steps)
        return spec, config, RunFolder(run_dir)
    if order.resume:
        run_dir = _resume_target(project, spec.name, job_name, order.run_name)
        check_output_folder(
            run_dir, "--resume", Text("make the run folder writable, or copy the project somewhere writable.")
        )
        _check_step_cap(run_dir, order.max_steps)
        return spec, config, RunFolder(run_dir)
    name = safe_name(order.run_name) if order.run_name else f"{datetime.now():%Y%m%d-%H%M%S}-{job_name}"
    run_dir = project.layout.run(name)
    if run_dir.exists():
        raise BadInput(
            Text(
                "Run folder {run_dir} exists; pass --resume to continue it or choose another --run-name.",
                run_dir=run_dir,
            )
        )
    try:
        run = RunFolder(run_dir).create(
            spec.name,
            config.model_dump(mode="json"),
            source=str(order.job),
            job=job_name,
            clips=[c.name for c in clips],
        )
    except OSError as exc:
        raise BadInput(
            Text(
                "cannot create the run folder {run_dir}: {error}; free disk space or make {runs} "
                "writable. Nothing was left behind.",
                run_dir=run_dir,
                error=exc.strerror or exc,
                runs=project.runs_dir,
            )
        ) from None
    return spec, config, run


def train_request(order: RunOrder, project: Project, clips: tuple[Path, ...], run: RunFolder) -> TrainRequest:
    """The training request for `order` (device, step cap, resume) on `clips` into `run`."""
    return TrainRequest(
        clips=clips,
        run=run,
        device=order.device,
        max_steps=order.max_steps,
        resume=order.resume,
        project_root=project.root,
    )


def launch_rank() -> int:
    """This process's rank when started by torchrun (0 otherwise)."""
    return int(os.environ.get("RANK", "0"))


def _await_rank0_folder(project: Project, run_name: str | None, timeout_s: float = 120.0) -> Path:
    """Ranks > 0 share the folder rank 0 creates; its name must be fixed in advance."""
    if not run_name:
        raise BadInput(
            Text("Under torchrun, pass --run-name NAME so every rank writes to the same run folder.")
        )
    path = project.runs_dir / safe_name(run_name)
    deadline = time.monotonic() + timeout_s
    while not (path / "config.toml").is_file():
        if time.monotonic() > deadline:
            raise BadInput(
                Text(
                    "Rank {launch_rank}: rank 0 did not create {path} within {timeout_s:.0f} s.",
                    launch_rank=launch_rank(),
                    path=path,
                    timeout_s=timeout_s,
                )
            )
        time.sleep(0.2)
    return path


def _check_step_cap(run_dir: Path, max_steps: int | None) -> None:
    """A resume whose step cap is not above the checkpoint's step would train nothing and mark the
    run finished with fewer steps than it has: refuse it before anything is touched."""
    from core.train.checkpoint import checkpoint_step
    from core.train.loop import CHECKPOINT

    step = checkpoint_step(RunFolder(run_dir).checkpoints / CHECKPOINT)
    if max_steps is None or step is None or max_steps > step:
        return
    raise BadInput(
        Text(
            "{run_dir} is at step {step} already; a step cap of {max_steps} leaves nothing "
            "to train. Give a step cap above {step} (--max-steps, or Max steps in the "
            "training panel: the total to reach), or none for the configured schedule.",
            run_dir=run_dir,
            step=step,
            max_steps=max_steps,
        )
    )


def _resume_target(project: Project, kind: str, job_name: str, run_name: str | None) -> Path:
    """The named run (or the newest run of this job); it must be a readable run of the job's kind."""
    if run_name:
        path = project.layout.run(safe_name(run_name))
        if not path.is_dir():
            raise BadInput(Text("--resume: no run folder {path}", path=path))
        status = RunFolder(path).load_status()  # DamagedRun names the file
        if status["kind"] != kind:
            raise BadInput(
                Text(
                    "--resume: {path} is a '{kind}' run but the job file trains '{expected_kind}'; give the "
                    "job file the run was made with.",
                    path=path,
                    kind=status["kind"],
                    expected_kind=kind,
                )
            )
        return path
    runs = [r for r in list_runs(project.runs_dir) if r.job == job_name and r.kind == kind]
    if not runs:
        raise BadInput(
            Text(
                "--resume: no earlier run of job '{job_name}' in {runs}",
                job_name=job_name,
                runs=project.runs_dir,
            )
        )
    return runs[0].path
