"""The speaker-separated audio evaluation as a job (`dhstudio eval-audio`, the benchmark, tests).

Besides the methods of `core.mouth.prior.evaluation`, it can train the product's own-clip models
on each clip's first 80 % with the audio2mouth job itself: `own_clip` from scratch (the model the
studio trained before the prior) and `prior_finetune` (the prior mapped onto the clip, then
fine-tuned, today's default), both scored on the held-out 20 %. Writes one JSON file atomically.
"""

from __future__ import annotations

import math
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.io import atomic
from core.jobs.collector import CollectingRunner
from core.jobs.context import JobContext
from core.jobs.errors import BadInput
from core.jobs.job import Job
from core.mouth.data import load_prepared
from core.mouth.prior.evaluation import HOLDOUT, ClipCase, evaluate
from core.mouth.prior.model import load_prior

GOAL_R_PRIOR, GOAL_R_ADAPTED = 0.6, 0.7


@dataclass(frozen=True)
class AudioEvalRequest:
    cases: tuple[ClipCase, ...]
    out_json: Path | None = None
    prior: Path | None = None  # None: the shipped prior
    own_steps: int = 0  # train the own-clip models this many steps (0: leave them out)


@dataclass
class AudioEvalJob(Job):
    req: AudioEvalRequest
    name: str = field(default="evaluate audio-to-mouth", init=False)

    def run(self, ctx: JobContext) -> dict:
        if not self.req.cases:
            raise BadInput("eval-audio needs prepared clips: --project DIR or --clip DIR (one or more).")
        t0 = time.time()
        prior = load_prior(self.req.prior)
        trained: dict[str, dict[str, np.ndarray]] = {"own_clip": {}, "prior_finetune": {}}
        if self.req.own_steps > 0:
            for i, case in enumerate(self.req.cases):
                ctx.checkpoint()
                ctx.progress(i, len(self.req.cases), f"training own-clip models on {case.path.name}")
                for method, use_prior in (("own_clip", False), ("prior_finetune", True)):
                    trained[method][case.path.name] = own_clip_coeffs(
                        case.path, self.req.own_steps, use_prior, self.req.prior
                    )
        ctx.progress(len(self.req.cases), len(self.req.cases), "scoring")
        result = evaluate(list(self.req.cases), prior, {k: v for k, v in trained.items() if v})
        result["summary"] = summary(result)
        result["settings"] = {
            "holdout": HOLDOUT,
            "own_steps": self.req.own_steps,
            "prior": prior.info,
            "seconds": round(time.time() - t0, 1),
        }
        if self.req.out_json is not None:
            atomic.write_json(self.req.out_json, json_safe(result))
            ctx.artifact(self.req.out_json, "json")
        for line in summary_lines(result):
            ctx.log(line)
        return result


def own_clip_coeffs(clip_dir: Path, steps: int, use_prior: bool, prior: Path | None = None) -> np.ndarray:
    """Train the audio2mouth job on the clip's first 80 % and predict the whole clip [N, K]."""
    from core.mouth.config import Audio2MouthConfig
    from core.mouth.loader import load_audio2mouth
    from core.mouth.trainer import make_job
    from core.train.run_folder import RunFolder
    from core.train.spec import TrainRequest

    base = Audio2MouthConfig()
    cfg = base.derive(
        train=base.train.derive(steps=steps, holdout=HOLDOUT),
        prior=base.prior.derive(use=use_prior, path=None if prior is None else str(prior)),
    )
    clip = load_prepared(clip_dir)
    with tempfile.TemporaryDirectory(prefix="dh-evalaudio-") as tmp:
        run = RunFolder(Path(tmp) / "run").create("audio2mouth", cfg.model_dump(mode="json"))
        try:
            result = CollectingRunner().run(make_job(cfg, TrainRequest((Path(clip_dir),), run, "cpu")))
        finally:
            run.close()
        if not result.ok:
            raise BadInput(f"training the own-clip model on {clip_dir.name} failed: {result.error}")
        return load_audio2mouth(run.path).predict(clip.audio, clip.n_frames)


def summary(result: dict) -> dict:
    """Real (non-synthetic) clips: mean r per method and set, and the issue's goals checked."""
    clips = result["clips"].items()
    real = {n: c for n, c in clips if c["speaker"] != "synthetic" and c["info"]["has_speech"]}
    out: dict = {
        "real_clips": sorted(real),
        "left_out_silent": sorted(n for n, c in clips if not c["info"]["has_speech"]),
    }
    for split in ("cv", "holdout"):
        methods = sorted({m for c in real.values() for m in c[split]})
        out[split] = {
            m: {
                "mean_mouth_r": _mean([c[split][m]["mouth_r"] for c in real.values() if m in c[split]]),
                "mean_lmd_px": _mean([c[split][m]["lmd_px"] for c in real.values() if m in c[split]]),
                "mean_mouth_r_best_lag": _mean(
                    [c[split][m]["mouth_r_best_lag"] for c in real.values() if m in c[split]]
                ),
                "mean_silence_ratio": _mean(
                    [c[split][m]["silence_ratio"] for c in real.values() if m in c[split]]
                ),
                "mean_jitter_ratio": _mean(
                    [c[split][m]["jitter_ratio"] for c in real.values() if m in c[split]]
                ),
                "lmd_below_constant_on_every_clip": all(
                    c[split][m]["lmd_px"] < c[split]["constant"]["lmd_px"]
                    for c in real.values()
                    if m in c[split]
                ),
            }
            for m in methods
        }
    if real:
        out["goals"] = {
            split: {
                "prior_r_ge_0.6": out[split]["prior"]["mean_mouth_r"] >= GOAL_R_PRIOR,
                "adapted_r_ge_0.7": max(
                    out[split][m]["mean_mouth_r"] for m in ("prior_adapt_4s", "prior_adapt_all")
                )
                >= GOAL_R_ADAPTED,
                "lmd_below_constant_on_every_clip": {
                    m: v["lmd_below_constant_on_every_clip"] for m, v in out[split].items() if m != "constant"
                },
            }
            for split in ("cv", "holdout")
        }
    return out


def summary_lines(result: dict) -> list[str]:
    lines = []
    for name, c in result["clips"].items():
        for split in ("cv", "holdout"):
            parts = [
                f"{m} r {s['mouth_r']:.2f} LMD {s['lmd_px']:.2f} sil/speech {s['silence_ratio']:.2f}"
                for m, s in c[split].items()
            ]
            lines.append(f"{name} ({c['speaker']}, {split}): " + "; ".join(parts))
    return lines


def _mean(xs: list[float]) -> float:
    xs = [x for x in xs if math.isfinite(x)]
    return float(np.mean(xs)) if xs else float("nan")


def json_safe(d):
    """JSON without NaN (null instead)."""
    if isinstance(d, dict):
        return {k: json_safe(v) for k, v in d.items()}
    if isinstance(d, list | tuple):
        return [json_safe(v) for v in d]
    if isinstance(d, float) and not math.isfinite(d):
        return None
    return d
