"""`dhstudio demo [--out DIR]`: the whole product path on the embedded synthetic clip."""

from __future__ import annotations

import argparse
from pathlib import Path

from core.jobs.errors import BadInput
from core.jobs.message import Text
from studio.cli.common import exit_code, run_job
from studio.demo.job import STAGES, DemoJob


def register(sub: argparse._SubParsersAction) -> None:
    stage_list = ", ".join(f"{i + 1}: {label}" for i, (label, _) in enumerate(STAGES))
    p = sub.add_parser("demo", help="build a demo project from the embedded clip and run every stage")
    p.add_argument(
        "--out", type=Path, default=Path("dhstudio-demo"), help="project folder (default: ./dhstudio-demo)"
    )
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    p.add_argument("--max-steps", type=int, help="cap training steps in the demo's training stages")
    p.add_argument(
        "--stages",
        type=int,
        metavar="N",
        help=f"run only the first N stages ({stage_list})",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.stages is not None and not 1 <= args.stages <= len(STAGES):
        raise BadInput(
            Text("--stages must be 1..{n_stages} (got {stages})", n_stages=len(STAGES), stages=args.stages)
        )
    stages = STAGES[: args.stages] if args.stages else None
    result = run_job(DemoJob(args.out, args.device, args.max_steps, stages))
    if result.ok:
        state = result.value
        print(f"demo project: {state.project.root}")
        for label, path in state.outputs.items():
            print(f"  {label}: {path}")
    return exit_code(result)
