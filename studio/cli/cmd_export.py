"""`dhstudio export RUN --format FORMAT --out DIR`: write a trained model in an exchange format.

Formats are a table (format name -> exporter), so later formats (ONNX, TorchScript, bundles) add one
entry each. ``ply``: a Gaussian avatar run -> the 3DGS PLY posed on ``--frame`` and the bound PLY
with its mesh sequence.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from core.jobs.errors import BadInput
from core.jobs.job import Job
from core.train.run_folder import RunFolder
from studio.cli.common import exit_code, run_job


def _ply(args: argparse.Namespace) -> Job:
    from core.gaussians.train.export_ply import PlyExportJob

    if RunFolder(args.run).kind != "gaussian":
        raise BadInput(
            f"--format ply needs a Gaussian avatar run; {args.run} is "
            f"{RunFolder(args.run).kind or 'not a run folder'}"
        )
    return PlyExportJob(args.run, args.out, args.frame)


# format name -> (run kinds it accepts, job factory)
EXPORTERS: dict[str, tuple[tuple[str, ...], Callable[[argparse.Namespace], Job]]] = {
    "ply": (("gaussian",), _ply),
}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="export a trained model (ply for Gaussian avatars)")
    p.add_argument("run", type=Path, help="run folder (PROJECT/runs/<run>)")
    p.add_argument("--format", required=True, choices=sorted(EXPORTERS), help="output format")
    p.add_argument("--out", required=True, type=Path, help="output folder")
    p.add_argument("--frame", type=int, default=0, help="clip frame to pose the avatar on (ply)")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not args.run.is_dir():
        raise BadInput(f"{args.run} is not a run folder")
    _kinds, factory = EXPORTERS[args.format]
    result = run_job(factory(args), quiet=args.quiet)
    if result.ok:
        for p in result.value:
            print(p)
    return exit_code(result)
