"""`dhstudio eval-audio (--project DIR | --clip DIR ...) [--speaker CLIP=NAME ...] [--timing file]
[--json OUT]`.

Scores the speaker-independent audio-to-mouth prior (alone, adapted on 4 s, adapted on the whole
fitting part) against a constant mouth and a loudness baseline on every prepared clip, per clip and
per speaker; `--own-steps N` also trains the own-clip models (minutes per clip on a CPU), and
`--pool-steps N` the leave-one-speaker-out `pooled` prior (the prior fine-tuned on every other
speaker's clips, seconds per speaker; `core.mouth.prior.pooled`). Clips
whose speaker is named `synthetic` are left out of the real-speaker summary. `--timing retimed`
scores (and trains) with each clip's sound moved by the offset prepare measured; the default,
`file`, keeps the files' own timing (the figures comparable with earlier ones; the offset was
chosen by the prior on the same clip, so re-timed prior figures are optimistic).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from core.io.output_paths import check_output_file
from core.jobs.errors import BadInput
from core.jobs.message import Text
from studio.cli.common import exit_code, run_job

if TYPE_CHECKING:
    from core.mouth.prior.evaluation import ClipCase


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "eval-audio", help="score the audio-to-mouth prior and baselines per clip and per speaker"
    )
    p.add_argument("--project", type=Path, help="evaluate every prepared clip of this project")
    p.add_argument("--clip", type=Path, action="append", default=[], help="a prepared clip folder (repeat)")
    p.add_argument(
        "--speaker",
        action="append",
        default=[],
        metavar="CLIP=NAME",
        help="who speaks in a clip (default: each clip its own speaker); 'synthetic' marks a generated clip",
    )
    p.add_argument("--prior", type=Path, help="a prior file (default: the shipped one)")
    p.add_argument("--own-steps", type=int, default=0, help="also train own-clip models this many steps")
    p.add_argument(
        "--pool-steps", type=int, default=0, help="also score the prior pooled on the other speakers' clips"
    )
    p.add_argument(
        "--timing",
        choices=("file", "retimed"),
        default="file",
        help="the clips' sound as the files have it (default) or re-timed by the offset prepare measured",
    )
    p.add_argument("--json", type=Path, help="write the figures here")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=run)


def cases_from_args(project: Path | None, clips: list[Path], speakers: list[str]) -> tuple[ClipCase, ...]:
    from core.mouth.prior.evaluation import ClipCase

    paths = list(clips)
    if project is not None:
        from studio.project import open_project

        paths += open_project(project).prepared_clips()
    if not paths:
        raise BadInput(
            Text("eval-audio needs --project DIR or at least one --clip DIR (a prepared clip folder).")
        )
    names = {}
    for item in speakers:
        clip, sep, name = item.partition("=")
        if not sep or not clip or not name:
            raise BadInput(
                Text("--speaker {item!r}: write it as CLIP=NAME, e.g. --speaker a=alice", item=item)
            )
        names[clip] = name
    unknown = set(names) - {p.name for p in paths}
    if unknown:
        raise BadInput(
            Text(
                "--speaker names clips that are not evaluated: {unknown}", unknown=", ".join(sorted(unknown))
            )
        )
    for p in paths:
        if not (Path(p) / "manifest.json").is_file():
            raise BadInput(
                Text(
                    "{p} is not a prepared clip (no manifest.json); prepare it with `dhstudio prepare`.", p=p
                )
            )
    return tuple(ClipCase(Path(p), names.get(Path(p).name, Path(p).name)) for p in paths)


def run(args: argparse.Namespace) -> int:
    from core.mouth.prior.eval_job import AudioEvalJob, AudioEvalRequest  # torch: only when run

    if args.own_steps < 0:
        raise BadInput(Text("--own-steps must be >= 0 (got {own_steps})", own_steps=args.own_steps))
    if args.pool_steps < 0:
        raise BadInput(
            Text(
                "--pool-steps must be >= 0 (got {pool_steps}); 0 leaves the pooled prior out",
                pool_steps=args.pool_steps,
            )
        )
    if args.json is not None:
        check_output_file(args.json, "--json", (".json",))
    from core.mouth.prior.pooled import PoolConfig

    cases = cases_from_args(args.project, args.clip, args.speaker)
    pool = PoolConfig(steps=args.pool_steps) if args.pool_steps > 0 else None
    request = AudioEvalRequest(cases, args.json, args.prior, args.own_steps, pool, args.timing)
    result = run_job(AudioEvalJob(request), quiet=args.quiet)
    if result.ok:
        print(json.dumps(result.value["summary"], indent=2))
        if args.json is not None:
            print(args.json)
    return exit_code(result)
