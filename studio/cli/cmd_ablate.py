"""`dhstudio ablate SUITE.toml --project DIR --out DIR`: train and compare Gaussian configurations.

Every configuration of the suite runs with the same seed, clip and step budget, one after another;
running the same command again skips finished configurations and resumes an interrupted one.
Writes OUT/results.csv, OUT/results.md and OUT/results.png; prints the table.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from core.gaussians.train.ablation import AblationJob
from core.io.output_paths import check_output_folder
from core.jobs.errors import BadInput
from studio.cli.common import add_set_argument, exit_code, run_job
from studio.project import open_project
from studio.training_runs import resolve_clips


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ablate", help="run an ablation suite of Gaussian avatar configurations")
    p.add_argument("suite", type=Path, help="suite file, e.g. training_jobs/ablation_cumulative.toml")
    p.add_argument("--project", required=True, type=Path, help="project folder with a prepared clip")
    p.add_argument("--out", required=True, type=Path, help="output folder (runs/, results.*)")
    p.add_argument("--clip", help="prepared clip name (default: the project's first)")
    p.add_argument(
        "--max-steps",
        "--steps",
        dest="steps",
        type=int,
        help="step budget for every configuration (default: the suite's)",
    )
    add_set_argument(p, "override a value in every configuration, e.g. --set data.resolution=64")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    project = open_project(args.project)
    clip = resolve_clips(project, [args.clip] if args.clip else [])[0]
    if args.steps is not None and args.steps < 1:
        raise BadInput(f"--max-steps must be >= 1 (got {args.steps})")
    check_output_folder(args.out, "--out")
    job = AblationJob(args.suite, clip, args.out, args.device, args.overrides, args.steps)
    result = run_job(job, quiet=args.quiet)
    if result.ok:
        print((args.out / "results.md").read_text(encoding="utf-8"))
        print(args.out)
    return exit_code(result)
