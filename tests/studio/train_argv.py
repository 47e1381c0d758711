"""The `dhstudio train` command line the CLI and GUI tests run: CPU, quiet, a named run, `--set`s."""

from __future__ import annotations

from pathlib import Path


def train_argv(job: Path, project: Path | str, run_name: str, max_steps: int, *settings: str) -> list[str]:
    """`train JOB --project P --max-steps N --device cpu --run-name NAME --quiet --set S...`."""
    sets = [arg for setting in settings for arg in ("--set", setting)]
    return [
        "train",
        str(job),
        "--project",
        str(project),
        "--max-steps",
        str(max_steps),
        "--device",
        "cpu",
        "--run-name",
        run_name,
        "--quiet",
        *sets,
    ]
