"""`dhstudio doctor`: what this machine can do. Exits 0 even when optional parts are missing."""

from __future__ import annotations

import argparse
import json

from studio.doctor import format_table, run_checks


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "doctor", help="check GPU, gsplat, audio devices, MediaPipe, ONNX Runtime, weight files"
    )
    p.add_argument("--json", action="store_true", help="print the checks as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    checks = run_checks()
    if args.json:
        print(json.dumps([c.__dict__ for c in checks], indent=2))
    else:
        print(format_table(checks))
    return 0
