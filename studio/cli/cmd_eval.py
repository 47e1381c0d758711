"""`dhstudio eval RUN [--json OUT] [--audio-model RUN]`: held-out quality figures of a trained avatar.

The run's kind (from its status.json) supplies the evaluation job through the kind registry; the
figures are written to one JSON file by `core.kinds.evaluation` and printed.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from core.io.output_paths import check_output_file
from core.jobs.errors import BadInput
from core.jobs.message import Text
from core.kinds.registry import kind_of_run
from core.kinds.requests import EvalRequest
from studio.cli.common import exit_code, run_job


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("eval", help="evaluate a trained avatar (lip-sync or Gaussian) on its held-out frames")
    p.add_argument("run", type=Path, help="a run folder (PROJECT/runs/<run>)")
    p.add_argument("--json", type=Path, help="write the figures here (default: RUN/eval.json)")
    p.add_argument("--audio-model", type=Path, help="audio2mouth run: also score audio-driven mouth opening")
    p.add_argument("--clip", type=Path, help="prepared clip folder (default: the run's training clip)")
    p.add_argument("--limit", type=int, help="evaluate at most this many held-out frames")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    kind = kind_of_run(args.run)
    if args.audio_model is not None and not args.audio_model.exists():
        raise BadInput(Text("--audio-model {audio_model} does not exist.", audio_model=args.audio_model))
    if args.limit is not None and args.limit < 1:
        raise BadInput(Text("--limit must be >= 1 (got {limit})", limit=args.limit))
    request = EvalRequest(args.run, args.device, args.json, args.audio_model, args.clip, args.limit)
    if args.json is None:  # the default place, in the run folder
        check_output_file(
            request.figures_path, "the figures file", (".json",), "pass --json FILE to write them elsewhere."
        )
    check_output_file(request.figures_path, "--json", (".json",))
    result = run_job(kind.eval_job(request), quiet=args.quiet)
    if result.ok:
        print(json.dumps(result.value, indent=2))
        print(request.figures_path)
    return exit_code(result)
