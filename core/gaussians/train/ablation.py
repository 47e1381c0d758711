"""Ablation suites: several Gaussian configurations trained with the same seed, data and step budget.

A suite file (training_jobs/ablation_*.toml)::

    name = "cumulative"
    base = "gaussian_baseline.toml"      # job file, relative to the suite file
    steps = 3000                         # the one step budget of every configuration
    seed = 0
    set = ["data.resolution=128"]        # overrides applied to every configuration

    [[configs]]
    name = "baseline"
    [[configs]]
    name = "+region weights"
    set = ["innovations.region_weights.enabled=true"]   # job = "other.toml" is allowed too

Configurations run one after another into ``OUT/runs/<name>``. A finished one (``eval.json``
present) is skipped and an interrupted one resumes from its checkpoint, so re-running the same
command after a crash continues the suite. After each configuration ``results.csv``,
``results.md`` (config | PSNR | SSIM | LPIPS on the full image, then on the face mask | points |
time | fps) and ``results.png`` are rewritten atomically. The face figures are the ones that
separate configurations (the background is most of the crop); a run evaluated before they existed
shows "n/a" there. The clip is decoded once and shared by all configurations.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field

from core.config.loader import apply_overrides, read_toml, validate
from core.config.model import ConfigModel
from core.gaussians.train.config import GaussianConfig
from core.gaussians.train.data import AvatarData
from core.gaussians.train.kind import KIND
from core.gaussians.train.source import load_clip_data
from core.gaussians.train.trainer import GaussianTrainJob
from core.io import atomic
from core.io.claim import reading
from core.jobs.context import JobContext
from core.jobs.errors import BadInput
from core.jobs.events import Progress
from core.jobs.job import Job
from core.jobs.message import Text
from core.project_layout import ProjectLayout
from core.train.lifecycle import resumable_run
from core.train.run_folder import RunFolder, RunState
from core.train.spec import TrainRequest

COLUMNS = (
    "config",
    "innovations",
    "psnr",
    "ssim",
    "lpips",
    "face_psnr",
    "face_ssim",
    "face_lpips",
    "points",
    "train_seconds",
    "render_fps",
    "steps",
)
FACE_COLUMNS = ("face_psnr", "face_ssim", "face_lpips")


class SuiteEntry(ConfigModel):
    name: str = Field(min_length=1)
    job: str = ""  # job file relative to the suite; empty = the suite's base
    set: tuple[str, ...] = ()


class Suite(ConfigModel):
    name: str = Field(min_length=1)
    base: str
    steps: int = Field(ge=1)
    seed: int = 0
    set: tuple[str, ...] = ()
    configs: list[SuiteEntry] = Field(min_length=1)


@dataclass(frozen=True)
class ResolvedEntry:
    name: str
    folder: str
    config: GaussianConfig


def safe_folder(name: str) -> str:
    out = "".join(c if c.isalnum() or c in "-_." else "_" for c in name.replace("+", "plus_")).strip("_")
    return out or "config"


def load_suite(
    path: Path, extra: list[str] | None = None, steps: int | None = None, only: list[str] | None = None
) -> tuple[Suite, list[ResolvedEntry]]:
    """Validate the suite and every configuration in it (nothing runs on bad input).

    `only`: keep these configurations (a share of the suite for one machine; see ablation_merge).
    """
    suite = validate(Suite, read_toml(path), path)
    names = [c.name for c in suite.configs]
    if len(set(names)) != len(names):
        raise BadInput(
            Text("{path}: configuration names must be unique, got {names}", path=path, names=names)
        )
    unknown = [n for n in only or [] if n not in names]
    if unknown:
        raise BadInput(
            Text(
                "{path}: no configuration called {unknown}; it has {names}",
                path=path,
                unknown=", ".join(map(repr, unknown)),
                names=names,
            )
        )
    if only:
        suite = suite.derive(configs=[c for c in suite.configs if c.name in only])
    budget = steps if steps is not None else suite.steps
    entries = []
    for c in suite.configs:
        job = path.parent / (c.job or suite.base)
        raw = read_toml(job)
        if raw.get("kind") != KIND.name:
            raise BadInput(
                Text(
                    "{job}: an ablation suite needs gaussian jobs (kind = {kind!r})",
                    job=job,
                    kind=raw.get("kind"),
                )
            )
        common = [*suite.set, *c.set, *(extra or []), f"train.steps={budget}", f"train.seed={suite.seed}"]
        cfg = validate(GaussianConfig, apply_overrides(raw, common), f"{job} (suite entry {c.name!r})")
        entries.append(ResolvedEntry(c.name, safe_folder(c.name), cfg))
    return suite, entries


def row_from_scores(entry: ResolvedEntry, scores: dict[str, Any]) -> dict[str, Any]:
    return {
        "config": entry.name,
        "innovations": "+".join(entry.config.enabled_innovations()) or "none",
        "psnr": scores["psnr"],
        "ssim": scores["ssim"],
        "lpips": scores["lpips"],
        **{k: scores.get(k, "n/a") for k in FACE_COLUMNS},
        "points": scores["gaussians"],
        "train_seconds": scores["train_seconds"],
        "render_fps": scores["render_fps"],
        "steps": scores["steps"],
    }


def write_results(out: Path, rows: list[dict[str, Any]], title: str) -> None:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(COLUMNS))
    w.writeheader()
    for r in rows:
        w.writerow(r)
    atomic.write_text(out / "results.csv", buf.getvalue())
    atomic.write_text(out / "results.md", results_markdown(rows, title))
    if rows:
        atomic.write_bytes(out / "results.png", bar_chart(rows, title))


def _fmt(v: Any, digits: int) -> str:
    return f"{v:.{digits}f}" if isinstance(v, float) else str(v)


def results_markdown(rows: list[dict[str, Any]], title: str) -> str:
    lines = [
        f"# Ablation: {title}",
        "",
        "| config | PSNR | SSIM | LPIPS | face PSNR | face SSIM | face LPIPS | points | time | fps |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['config']} | {_fmt(r['psnr'], 2)} | {_fmt(r['ssim'], 4)} | {_fmt(r['lpips'], 4)} | "
            f"{_fmt(r['face_psnr'], 2)} | {_fmt(r['face_ssim'], 4)} | {_fmt(r['face_lpips'], 4)} | "
            f"{r['points']} | {_fmt(r['train_seconds'], 1)} s | {_fmt(r['render_fps'], 1)} |"
        )
    steps = {r["steps"] for r in rows}
    lines += [
        "",
        f"Held-out frames (last 20% of the clip), {', '.join(map(str, sorted(steps)))} steps per config; "
        "full image = the face crop with the background outside the face mask (shared by render and "
        "target); face = the tracked face mask only (LPIPS on its bounding box); "
        "time = training seconds; fps = forward renders per second.",
    ]
    return "\n".join(lines) + "\n"


def bar_chart(rows: list[dict[str, Any]], title: str) -> bytes:
    """PNG bytes of the ablation's bar panels.

    Drawn on a bare Agg figure, not through pyplot: this runs on job worker threads inside the
    studio, and pyplot's global figure registry and backend switch are not thread-safe (a clean-clone
    CI run segfaulted in the GUI's main thread while an ablation drew its chart)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    names = [r["config"] for r in rows]
    panels = [
        ("psnr", "PSNR (dB)"),
        ("face_psnr", "face PSNR (dB)"),
        ("ssim", "SSIM"),
        ("face_ssim", "face SSIM"),
        ("points", "Gaussians"),
        ("train_seconds", "train time (s)"),
    ]
    fig = Figure(figsize=(4 * len(panels), 3.6))
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, len(panels))
    for ax, (key, label) in zip(axes, panels, strict=True):
        values = [float(r[key]) if isinstance(r[key], int | float) else 0.0 for r in rows]
        ax.bar(range(len(values)), values, color="#4c72b0")
        ax.set_title(label)
        ax.set_xticks(range(len(values)), names, rotation=40, ha="right", fontsize=8)
        if key in ("psnr", "ssim", "face_psnr", "face_ssim"):
            lo, hi = min(values), max(values)
            pad = max((hi - lo) * 0.5, 1e-3)
            ax.set_ylim(lo - pad, hi + pad)
    fig.suptitle(f"ablation: {title}")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    fig.clear()
    return buf.getvalue()


class AblationJob(Job):
    name = "gaussian ablation"

    def __init__(
        self,
        suite_path: Path,
        clip: Path,
        out: Path,
        device: str = "cpu",
        overrides: list[str] | None = None,
        steps: int | None = None,
        only: list[str] | None = None,
    ) -> None:
        self.suite_path, self.clip, self.out, self.device = Path(suite_path), Path(clip), Path(out), device
        self.suite, self.entries = load_suite(self.suite_path, overrides, steps, only)
        self._data: dict[str, AvatarData] = {}

    def _load(self, clip: Path, cfg: GaussianConfig) -> AvatarData:
        key = cfg.data.model_dump_json()
        if key not in self._data:
            self._data[key] = load_clip_data(clip, cfg.data)
        return self._data[key]

    def run(self, ctx: JobContext) -> Path:
        # the clip is held for the whole suite, not only while each configuration trains
        with reading(self.clip, "ablation", "start the ablation"):
            return self._run(ctx)

    def _run(self, ctx: JobContext) -> Path:
        self.out.mkdir(parents=True, exist_ok=True)
        atomic.write_text(self.out / "suite.toml", self.suite_path.read_text(encoding="utf-8"))
        rows: list[dict[str, Any]] = []
        n = len(self.entries)
        for i, entry in enumerate(self.entries):
            ctx.checkpoint()
            run = RunFolder(ProjectLayout(self.out).run(entry.folder))  # OUT/runs/<config>
            eval_path = run.path / "eval.json"
            if eval_path.is_file() and run.state is RunState.FINISHED:
                ctx.log(f"[{i + 1}/{n}] {entry.name}: already finished, skipped")
            else:

                def sink(event, i=i, name=entry.name):
                    if isinstance(event, Progress):
                        total = event.total or 1
                        ctx.progress(i * total + event.step, n * total, f"{name}: {event.message}")
                    else:
                        ctx.emit(event)

                config = entry.config.model_dump(mode="json")
                with resumable_run(run, KIND.name, config, str(self.suite_path), entry.folder) as resume:
                    ctx.log(
                        f"[{i + 1}/{n}] {entry.name}: {'resuming' if resume else 'training'} "
                        f"({', '.join(entry.config.enabled_innovations()) or 'baseline'})"
                    )
                    req = TrainRequest(clips=(self.clip,), run=run, device=self.device, resume=resume)
                    job = GaussianTrainJob(entry.config, req, data_loader=self._load)
                    job.run(JobContext(sink, ctx.control))
            rows.append(row_from_scores(entry, json.loads(eval_path.read_text(encoding="utf-8"))))
            write_results(self.out, rows, self.suite.name)
            ctx.artifact(self.out / "results.md", "table")
        return self.out
