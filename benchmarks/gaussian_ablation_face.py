"""The cumulative Gaussian ablation as JSON: full-image and face-region figures, and what each step adds.

Reads a finished ``dhstudio ablate`` output folder (``OUT/results.csv``, ``OUT/runs/*/eval.json``)
and writes, per configuration, the held-out PSNR/SSIM/LPIPS on the full image and on the tracked
face mask, Gaussians, training time and render rate, plus each configuration's change against the
one before it (a cumulative suite adds one innovation per row) and against the baseline. The
training itself is the ablate command (long; run it in the background)::

    OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE dhstudio ablate training_jobs/ablation_cumulative.toml \\
        --project PROJ --clip a --out OUT --steps 800 --set data.resolution=128 \\
        --set densify.every=100 --set densify.max_gaussians=6000 --device cpu
    PYTHONPATH=. python benchmarks/gaussian_ablation_face.py OUT --note "..." \\
        --out benchmarks/results/gaussian_ablation_face.json
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
from pathlib import Path
from typing import Any

from core.gaussians.train.ablation import COLUMNS
from core.io.atomic import write_json

FIGURES = tuple(c for c in COLUMNS if c not in ("config", "innovations", "steps"))  # the scores


def _number(value: str) -> float | str:
    try:
        return float(value)
    except ValueError:
        return value  # "unavailable", "n/a"


def _delta(a: dict[str, Any], b: dict[str, Any]) -> dict[str, float]:
    return {
        k: round(float(b[k]) - float(a[k]), 4)
        for k in FIGURES
        if isinstance(a.get(k), float) and isinstance(b.get(k), float)
    }


def table(out: Path) -> dict[str, Any]:
    with open(out / "results.csv", encoding="utf-8", newline="") as fh:
        rows = [
            {k: _number(v) if k in FIGURES or k == "steps" else v for k, v in r.items()}
            for r in csv.DictReader(fh)
        ]
    if not rows:
        raise SystemExit(f"{out}/results.csv has no finished configuration yet")
    evals = {}
    for run in sorted((out / "runs").iterdir()):
        if (run / "eval.json").is_file():
            evals[run.name] = json.loads((run / "eval.json").read_text(encoding="utf-8"))
    any_eval = next(iter(evals.values()), {})
    for i, r in enumerate(rows):
        r["vs_previous"] = _delta(rows[i - 1], r) if i else {}
        r["vs_baseline"] = _delta(rows[0], r) if i else {}
    return {
        "suite": (out / "suite.toml").read_text(encoding="utf-8") if (out / "suite.toml").is_file() else "",
        "held_out_frames": any_eval.get("frames"),
        "resolution": any_eval.get("resolution"),
        "face_fraction": any_eval.get("face_fraction"),
        "renderer": any_eval.get("renderer"),
        "lpips_note": any_eval.get("lpips_note", ""),
        "rows": rows,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("ablation_out", type=Path, help="the --out folder of `dhstudio ablate`")
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results/gaussian_ablation_face.json"))
    ap.add_argument("--note", default="", help="how it was run (clip, budget, machine load)")
    ap.add_argument("--command", default="", help="the ablate command line that produced the folder")
    ap.add_argument(
        "--repeat",
        type=Path,
        help="the folder of some of the same configurations run with another seed (the noise level)",
    )
    args = ap.parse_args()
    result = table(args.ablation_out)
    if args.repeat is not None:
        again = table(args.repeat)["rows"]
        first = {r["config"]: r for r in result["rows"]}
        result["repeat_other_seed"] = {
            "folder": str(args.repeat),
            "rows": again,
            "seed_to_seed": {
                r["config"]: _delta(first[r["config"]], r) for r in again if r["config"] in first
            },
        }
    result.update(
        {
            "note": args.note,
            "command": args.command,
            "machine": {"platform": platform.platform(), "processor": platform.processor()},
        }
    )
    write_json(args.out, result)
    print(args.out)


if __name__ == "__main__":
    main()
