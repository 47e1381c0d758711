"""`dhstudio ablate SUITE.toml --project DIR --out DIR`: train and compare Gaussian configurations.

Every configuration of the suite runs with the same seed, clip and step budget, one after another;
running the same command again skips finished configurations and resumes an interrupted one.
Writes OUT/results.csv, OUT/results.md and OUT/results.png; prints the table.

Split across machines: `--only NAME` runs a share of the suite (or each configuration is its own
`dhstudio train`), and `dhstudio ablate-merge RUN_OR_OUT... --out DIR` makes the one table and chart.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from core.io.output_paths import check_output_folder
from core.jobs.errors import BadInput
from core.jobs.message import Text
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
    p.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help="run only this configuration of the suite (repeatable; merge shares with ablate-merge)",
    )
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=run)

    m = sub.add_parser(
        "ablate-merge",
        help="merge finished Gaussian runs (trained anywhere) into one ablation table and chart",
    )
    m.add_argument(
        "runs",
        nargs="+",
        type=Path,
        metavar="RUN",
        help="run folders, or folders with runs/ (a project, a `dhstudio ablate --out` folder); one row each",
    )
    m.add_argument("--out", required=True, type=Path, help="folder for results.csv, results.md, results.png")
    m.add_argument("--title", default="merged", help="the table's and chart's title")
    m.add_argument(
        "--allow-mixed",
        action="store_true",
        help="merge runs that differ in steps, seed or data settings (the title says so)",
    )
    m.set_defaults(func=run_merge)


def run(args: argparse.Namespace) -> int:
    from core.gaussians.train.ablation import AblationJob  # torch: only when run

    project = open_project(args.project)
    clip = resolve_clips(project, [args.clip] if args.clip else [])[0]
    if args.steps is not None and args.steps < 1:
        raise BadInput(Text("--max-steps must be >= 1 (got {steps})", steps=args.steps))
    check_output_folder(args.out, "--out")
    job = AblationJob(args.suite, clip, args.out, args.device, args.overrides, args.steps, args.only)
    result = run_job(job, quiet=args.quiet)
    if result.ok:
        print((args.out / "results.md").read_text(encoding="utf-8"))
        print(args.out)
    return exit_code(result)


def run_merge(args: argparse.Namespace) -> int:
    from core.gaussians.train.ablation_merge import merge_runs  # torch: only when run

    check_output_folder(args.out, "--out")
    rows = merge_runs(args.runs, args.out, args.title, args.allow_mixed)
    print((args.out / "results.md").read_text(encoding="utf-8"))
    print(f"{len(rows)} runs -> {args.out}")
    return 0
