"""What every trainer is given besides its config (the kinds themselves live in `core.kinds`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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
class DemoResult:
    """What one kind's `dhstudio demo` stage made: its trained run and a video rendered with it."""

    run: Path
    video: Path
