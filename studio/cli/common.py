"""Shared pieces of the commands: running a job with a progress bar and mapping its exit code."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.jobs.job import Job, JobResult, Status
from studio.console_runner import ConsoleRunner


def exit_code(result: JobResult) -> int:
    if result.status is Status.SUCCEEDED:
        return 0
    if result.status is Status.CANCELLED:
        print("cancelled", file=sys.stderr)
        return 130
    return 2 if result.bad_input else 1


def run_job(job: Job, quiet: bool = False) -> JobResult:
    return ConsoleRunner(quiet=quiet).run(job)


def add_audio_model_argument(p: argparse.ArgumentParser, purpose: str = "") -> None:
    """`--audio-model RUN`: the audio-to-mouth run to use (`purpose` prefixes the help, e.g. "bundle: ")."""
    p.add_argument(
        "--audio-model",
        type=Path,
        metavar="RUN",
        help=f"{purpose}audio-to-mouth run (default: the project's newest finished one)",
    )


def add_set_argument(p: argparse.ArgumentParser, help_text: str) -> None:
    """`--set KEY=VALUE` (repeatable) into `args.overrides`, as `train` and `ablate` take it."""
    p.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help=help_text,
    )
