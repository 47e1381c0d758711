"""`dhstudio export RUN --format FORMAT --out DIR`: write a trained model in an exchange format.

Formats are entries of the run's kind in the kind registry (`core.kinds.registry.export_formats()`
lists them all); this command knows no family. ``ply``: a Gaussian avatar run -> the 3DGS PLY posed
on ``--frame`` and the bound PLY with its mesh sequence.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from core.io.output_paths import check_output_folder
from core.kinds.registry import export_formats, kind_of_run
from core.kinds.requests import ExportRequest
from studio.cli.common import exit_code, run_job


def register(sub: argparse._SubParsersAction) -> None:
    formats = export_formats()  # loads the kind entries (~0.2 s); the choices are the registry's
    offered = "; ".join(f"{f} for {', '.join(k)} runs" for f, k in formats.items())
    p = sub.add_parser("export", help=f"export a trained model ({offered})")
    p.add_argument("run", type=Path, help="run folder (PROJECT/runs/<run>)")
    p.add_argument("--format", required=True, choices=sorted(formats), help=f"output format: {offered}")
    p.add_argument("--out", required=True, type=Path, help="output folder")
    p.add_argument("--frame", type=int, default=0, help="clip frame to pose the avatar on (ply)")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    kind = kind_of_run(args.run)
    request = ExportRequest(args.run, args.out, args.frame)
    job = kind.export_job(args.format, request)
    kind.check_weights(args.run)
    check_output_folder(args.out, "--out")
    result = run_job(job, quiet=args.quiet)
    if result.ok:
        for p in result.value:
            print(p)
    return exit_code(result)
