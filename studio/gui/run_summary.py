"""A run folder as the runs panel shows it: kind, preset, state, steps and final figures.

Qt-free. Figures come from eval.json, then summary.json, then status.json, then the last value in
metrics.jsonl (held-out/eval names first), matched by the last part of the metric name.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.train.metric_sink import HELD_OUT_PREFIXES
from core.train.run_folder import RunFolder

# column -> metric name endings that fill it, best first
FIGURES: dict[str, tuple[str, ...]] = {
    "PSNR": ("psnr", "psnr_mouth"),
    "SSIM": ("ssim", "ssim_mouth"),
    "LMD": ("lmd", "lmd_px", "heldout_lmd_px"),
    "Sharpness": ("sharpness_ratio",),  # mouth sharpness of render / source (core.lipsync.evaluate)
    "Gaussians": ("gaussians",),
}


@dataclass
class RunSummary:
    path: Path
    kind: str
    preset: str
    state: str
    steps: int | None
    updated: float
    figures: dict[str, float] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.path.name

    def formatted(self) -> tuple[str, ...]:
        out = []
        for column in FIGURES:
            v = self.figures.get(column)
            if v is None:
                out.append("–")
            elif column == "Gaussians":
                out.append(f"{int(v):,}")
            else:
                out.append(f"{v:.3f}" if abs(v) < 10 else f"{v:.2f}")
        return tuple(out)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _number(v: Any) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) else None


def summarize(path: Path) -> RunSummary:
    run = RunFolder(path)
    status = run.read_status()
    rows = run.read_metrics()
    last: dict[str, float] = {}
    max_step = None
    for r in rows:
        last[str(r.get("name"))] = float(r.get("value", math.nan))
        max_step = max(max_step or 0, int(r.get("step", 0)))
    sources = [_read_json(path / "eval.json"), _read_json(path / "summary.json"), status]
    figures: dict[str, float] = {}
    for column, endings in FIGURES.items():
        value = None
        for source in sources:
            value = next(
                (_number(source.get(k)) for k in endings if _number(source.get(k)) is not None), None
            )
            if value is not None:
                break
        if value is None:
            names = sorted(last, key=lambda n: not n.startswith(HELD_OUT_PREFIXES))
            value = next(
                (last[n] for n in names if n.rsplit("/", 1)[-1] in endings and math.isfinite(last[n])), None
            )
        if value is not None:
            figures[column] = value
    steps = status.get("step") or status.get("total_steps") or max_step
    return RunSummary(
        path=path,
        kind=str(status.get("kind", "?")),
        preset=str(status.get("job", "") or Path(str(status.get("source", ""))).stem or "–"),
        state=str(status.get("state", "unknown")),
        steps=int(steps) if steps is not None else None,
        updated=float(status.get("updated", 0.0) or 0.0),
        figures=figures,
    )


def project_runs(runs_dir: Path) -> list[RunSummary]:
    """Every run folder (one with a status.json), newest first."""
    if not runs_dir.is_dir():
        return []
    found = [summarize(p) for p in runs_dir.iterdir() if (p / "status.json").is_file()]
    return sorted(found, key=lambda r: r.updated, reverse=True)


_CURVES: dict[tuple[str, int, int], dict[str, tuple[list[int], list[float]]]] = {}


def metric_curves(path: Path) -> dict[str, tuple[list[int], list[float]]]:
    """metrics.jsonl as name -> (steps, values); read again only when the file changed."""
    run = RunFolder(path)
    try:
        stat = run.metrics_path.stat()
    except FileNotFoundError:
        return {}
    key = (str(run.metrics_path), stat.st_mtime_ns, stat.st_size)
    if key not in _CURVES:
        _CURVES[key] = _read_curves(run)
    return _CURVES[key]


def _read_curves(run: RunFolder) -> dict[str, tuple[list[int], list[float]]]:
    curves: dict[str, tuple[list[int], list[float]]] = {}
    for r in run.read_metrics():
        steps, values = curves.setdefault(str(r.get("name")), ([], []))
        steps.append(int(r.get("step", 0)))
        values.append(float(r.get("value", math.nan)))
    return curves
