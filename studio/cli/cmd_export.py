"""`dhstudio export RUN --format FORMAT [--out DIR] [--report OUT.json] [--force]`.

Formats are entries of the run's kind in the kind registry (`core.kinds.registry.export_formats()`
lists them all); this command knows no family. Model formats (onnx, onnx-int8, torchscript)
validate against PyTorch before the folder appears; `bundle` (lip-sync runs, `--precision
fp32|int8`, `--audio-model RUN`) is the self-contained folder `dhstudio live` and `dhstudio render`
run from; `web` (lip-sync runs, int8 by default) the static page that talks from the browser's
microphone; `ply` writes the Gaussian avatar's 3DGS PLY posed on `--frame` and its bound PLY.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

from core.io.output_paths import check_output_folder
from core.jobs.errors import BadInput
from core.jobs.message import Text
from core.kinds.registry import export_formats, kind_of_run
from core.kinds.requests import ExportRequest
from core.project_layout import ProjectLayout
from studio.cli.common import add_audio_model_argument, exit_code, run_job


class RegistryFormats:
    """`--format` choices: the registry's export formats, looked up only when argparse checks or lists them.

    Listing them means importing every kind entry, and those load torch; building the parser for
    `dhstudio --help` or another command must not.
    """

    def __contains__(self, value: object) -> bool:
        return value in export_formats()

    def __iter__(self) -> Iterator[str]:
        return iter(export_formats())


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="export a trained model in a format its kind offers")
    p.add_argument("run", type=Path, help="run folder (PROJECT/runs/<run>)")
    p.add_argument(
        "--format",
        required=True,
        choices=RegistryFormats(),
        metavar="FORMAT",
        help="output format, one of %(choices)s; each kind offers its own (the error names them)",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help="output folder (must not exist unless --force; default: PROJECT/exports/<run>-<format>)",
    )
    p.add_argument("--report", type=Path, default=None, help="also write the validation report JSON here")
    p.add_argument("--force", action="store_true", help="replace an existing output folder")
    p.add_argument("--frame", type=int, default=0, help="clip frame to pose the avatar on (ply)")
    p.add_argument(
        "--precision",
        choices=["fp32", "int8"],
        default=None,
        help="bundle (default fp32) and web (default int8): fp32 or int8 ONNX models",
    )
    add_audio_model_argument(p, "bundle: ")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    kind = kind_of_run(args.run)
    if args.out is None:
        args.out = ProjectLayout.of_run(args.run).run_export(args.run.resolve().name, args.format)
    options = {"audio_run": args.audio_model}
    if args.precision is not None:  # each format has its own default precision
        options["precision"] = args.precision
    if args.report is not None:
        options["report"] = args.report
    request = ExportRequest(args.run, args.out, frame=args.frame, force=args.force, options=options)
    job = kind.export_job(args.format, request)
    kind.check_weights(args.run)
    if args.out.exists() and not args.force:
        raise BadInput(
            Text("{out} already exists; choose another --out or pass --force to replace it", out=args.out)
        )
    check_output_folder(args.out, "--out")
    result = run_job(job, quiet=args.quiet)
    if result.ok:
        for line in printed_outputs(result.value, Path(args.out)):
            print(line)
    return exit_code(result)


def printed_outputs(paths: list[Path], out: Path) -> list[str]:
    """The written files as printed: those in `out` itself one per line, a subfolder's as one line
    with its count (a web page's 125 frames would bury index.html), files elsewhere as they are."""
    lines: list[str] = []
    counts: dict[Path, int] = {}
    for p in map(Path, paths):
        parts = p.relative_to(out).parts if p.is_relative_to(out) else ()
        if len(parts) > 1:
            folder = out / parts[0]
            if folder not in counts:
                lines.append(str(folder))  # replaced by its summary below
            counts[folder] = counts.get(folder, 0) + 1
        else:
            lines.append(str(p))
    for folder, n in counts.items():
        lines[lines.index(str(folder))] = f"{folder}/ ({n} file{'s' if n != 1 else ''})"
    return lines
