"""`dhstudio eval RUN [--json OUT] [--audio-model RUN]`: held-out quality figures of a lip-sync renderer."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

from core.io import atomic
from core.jobs.errors import BadInput
from core.lipsync.evaluate import EvalJob, EvalRequest
from core.train.run_folder import RunFolder
from studio.cli.common import exit_code, run_job


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("eval", help="evaluate a trained lip-sync renderer on its held-out frames")
    p.add_argument("run", type=Path, help="a dinet run folder (PROJECT/runs/<run>)")
    p.add_argument("--json", type=Path, help="write the figures here (default: RUN/eval.json)")
    p.add_argument("--audio-model", type=Path, help="audio2mouth run: also score audio-driven mouth opening")
    p.add_argument("--clip", type=Path, help="prepared clip folder (default: the renderer's training clip)")
    p.add_argument("--limit", type=int, help="evaluate at most this many held-out frames")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=run)


def _clean(v):
    return None if isinstance(v, float) and not math.isfinite(v) else v


def run(args: argparse.Namespace) -> int:
    if not args.run.is_dir():
        raise BadInput(f"{args.run} is not a run folder; give PROJECT/runs/<run> of a dinet training run.")
    if RunFolder(args.run).kind == "gaussian":  # Gaussian avatars: core.gaussians.train.evaluate
        from core.device import resolve_device
        from core.gaussians.train.evaluate import GaussianEvalJob

        result = run_job(GaussianEvalJob(args.run, resolve_device(args.device), args.json), quiet=args.quiet)
        if result.ok:
            print(json.dumps({k: _clean(v) for k, v in result.value.items()}, indent=2))
        return exit_code(result)
    if args.audio_model is not None and not args.audio_model.exists():
        raise BadInput(f"--audio-model {args.audio_model} does not exist.")
    request = EvalRequest(args.run, args.audio_model, args.clip, args.device, args.limit)
    result = run_job(EvalJob(request), quiet=args.quiet)
    if result.ok:
        figures = {k: _clean(v) for k, v in result.value.items()}
        out = args.json or args.run / "eval.json"
        atomic.write_json(out, figures)
        print(json.dumps(figures, indent=2))
        print(out)
    return exit_code(result)
