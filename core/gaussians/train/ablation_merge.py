"""Merge finished Gaussian runs trained apart (other machines, other projects) into one ablation table.

An ablation suite can be split across machines: each configuration is an independent
`dhstudio train` into its own run folder (or a part of the suite is run with `dhstudio ablate
--only NAME`); `dhstudio ablate-merge RUN... --out DIR` then writes the same results.csv,
results.md and results.png as `dhstudio ablate`, one row per run, in the order given.

A row is comparable only when the runs share the step budget, the seed and the data settings,
so those are checked (``allow_mixed`` lifts the check and says so in the table's title).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.config.loader import read_toml, validate
from core.gaussians.train.ablation import ResolvedEntry, row_from_scores, write_results
from core.gaussians.train.config import GaussianConfig
from core.gaussians.train.kind import KIND
from core.jobs.errors import BadInput
from core.jobs.message import Text
from core.train.run_folder import STATUS_FILE, RunFolder, RunState

EVAL_FILE = "eval.json"


@dataclass(frozen=True)
class MergedRun:
    name: str  # the row's label: the run folder's name
    path: Path
    config: GaussianConfig
    scores: dict[str, Any]


def expand_run_dirs(paths: list[Path]) -> list[Path]:
    """Run folders as given; an ablation output or a project folder stands for its runs/ (sorted)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if (p / STATUS_FILE).is_file():
            out.append(p)
        elif (p / "runs").is_dir():
            found = sorted(r for r in (p / "runs").iterdir() if (r / STATUS_FILE).is_file())
            if not found:
                raise BadInput(
                    Text(
                        "{runs} holds no run folders; give run folders made by `dhstudio train`.",
                        runs=p / "runs",
                    )
                )
            out.extend(found)
        else:
            raise BadInput(
                Text(
                    "{p} is not a run folder (no {status_file}) nor a folder with runs/; give "
                    "PROJECT/runs/<run>, a project folder or a `dhstudio ablate --out` folder.",
                    p=p,
                    status_file=STATUS_FILE,
                )
            )
    return out


def load_run(path: Path) -> MergedRun:
    """A finished Gaussian run with its held-out figures; bad input names the run and the fix."""
    run = RunFolder(path)
    status = run.load_status()  # DamagedRun names the file
    if status["kind"] != KIND.name:
        raise BadInput(
            Text(
                "{path} is a '{kind}' run; an ablation table compares '{kind_name}' runs.",
                path=path,
                kind=status["kind"],
                kind_name=KIND.name,
            )
        )
    eval_path = path / EVAL_FILE
    if run.state is not RunState.FINISHED or not eval_path.is_file():
        raise BadInput(
            Text(
                "{path} has not finished (state {state!r}, {eval_file} "
                "{presence}); finish it with `dhstudio train JOB --project "
                "PROJECT --run-name {path_name} --resume`, or leave it out.",
                path=path,
                state=status["state"],
                eval_file=EVAL_FILE,
                presence=Text("present") if eval_path.is_file() else Text("missing"),
                path_name=path.name,
            )
        )
    config = validate(GaussianConfig, read_toml(path / "config.toml"), path / "config.toml")
    try:
        scores = json.loads(eval_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadInput(
            Text(
                "{eval_path} is damaged ({exc}); run `dhstudio eval {path}` to rewrite it.",
                eval_path=eval_path,
                exc=exc,
                path=path,
            )
        ) from None
    missing = [
        k
        for k in ("psnr", "ssim", "lpips", "gaussians", "train_seconds", "render_fps", "steps")
        if k not in scores
    ]
    if missing:
        raise BadInput(
            Text(
                "{eval_path} lacks {missing}; run `dhstudio eval {path}` to rewrite it.",
                eval_path=eval_path,
                missing=", ".join(missing),
                path=path,
            )
        )
    return MergedRun(path.name, path, config, scores)


def comparability_problems(runs: list[MergedRun]) -> list[str]:
    """What differs between the runs that an ablation must hold fixed (steps, seed, data)."""
    problems = []
    checks = {
        "steps": lambda r: r.scores["steps"],
        "train.seed": lambda r: r.config.train.seed,
        "data": lambda r: r.config.data.model_dump(mode="json"),
    }
    for label, value in checks.items():
        seen: dict[str, list[str]] = {}
        for r in runs:
            seen.setdefault(json.dumps(value(r), sort_keys=True), []).append(r.name)
        if len(seen) > 1:
            groups = "; ".join(f"{v} in {', '.join(names)}" for v, names in seen.items())
            problems.append(f"{label} differs: {groups}")
    return problems


def merge_runs(paths: list[Path], out: Path, title: str = "merged", allow_mixed: bool = False) -> list[dict]:
    """Write OUT/results.{csv,md,png} for the runs in `paths`; returns the rows."""
    runs = [load_run(p) for p in expand_run_dirs(paths)]
    names = [r.name for r in runs]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise BadInput(
            Text(
                "several runs are called {dupes}; rename the run folders so each row has its own name.",
                dupes=", ".join(dupes),
            )
        )
    problems = comparability_problems(runs)
    if problems and not allow_mixed:
        raise BadInput(
            Text(
                "these runs are not comparable: {problems}. Train every configuration with the same "
                "--set train.steps=N --set train.seed=S and data settings (or pass --allow-mixed to "
                "merge them anyway).",
                problems=" | ".join(problems),
            )
        )
    if problems:
        title = f"{title} (mixed: {'; '.join(p.split(' differs')[0] for p in problems)} differ)"
    rows = [row_from_scores(ResolvedEntry(r.name, r.name, r.config), r.scores) for r in runs]
    out.mkdir(parents=True, exist_ok=True)
    write_results(out, rows, title)
    return rows
