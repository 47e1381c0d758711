"""How a training kind plugs into `dhstudio train`: a config model plus a job factory."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from core.jobs.job import Job
from core.train.run_folder import RunFolder


@dataclass(frozen=True)
class TrainRequest:
    """Everything a trainer needs besides its config; built by the CLI or the GUI."""

    clips: tuple[Path, ...]  # prepared clip folders
    run: RunFolder
    device: str = "auto"  # resolved by the trainer with core.device.resolve_device
    max_steps: int | None = None  # caps any schedule (smoke runs)
    resume: bool = False
    project_root: Path | None = None


@dataclass(frozen=True)
class TrainingKind:
    name: str
    config_model: type[BaseModel]
    make_job: Callable[[Any, TrainRequest], Job]
