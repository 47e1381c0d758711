"""The speaker-separated audio evaluation as a job (`dhstudio eval-audio`, the benchmark, tests).

Besides the methods of `core.mouth.prior.evaluation`, it can train the product's own-clip models
on each clip's first 80 % with the audio2mouth job itself: `own_clip` from scratch (the model the
studio trained before the prior) and `prior_finetune` (the prior mapped onto the clip, then
fine-tuned, today's default), both scored on the held-out 20 %. `timing` picks the clips' sound for
everything, training included: "file" (the file's own timing, the headline) or "retimed" (moved by
the offset prepare measured, as the product trains; see `core.mouth.prior.evaluation`). With
`pool`, the `pooled` method: per speaker, the prior fine-tuned on every other speaker's clips
(`core.mouth.prior.pooled.pool_loso`), scored like the prior alone. Writes one JSON file atomically.
"""

from __future__ import annotations

import math
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.face.prepared import TIMINGS, Timing
from core.io import atomic
from core.io.claim import reading
from core.jobs.collector import CollectingRunner
from core.jobs.context import JobContext
from core.jobs.errors import BadInput
from core.jobs.job import Job
from core.jobs.message import Text
from core.mouth.data import load_prepared
from core.mouth.prior.evaluation import (
    FOLDS,
    GAP_S,
    HOLDOUT,
    SETS,
    SYNTHETIC,
    ClipCase,
    evaluate,
    finite_mean,
)
from core.mouth.prior.model import load_prior
from core.mouth.prior.pooled import PoolConfig, has_speech, pool_loso

GOAL_R_PRIOR, GOAL_R_ADAPTED = 0.6, 0.7
FIGURES = ("mouth_r", "lmd_px", "mouth_r_best_lag", "silence_ratio", "jitter_ratio", "fold_r_sd")


@dataclass(frozen=True)
class AudioEvalRequest:
    cases: tuple[ClipCase, ...]
    out_json: Path | None = None
    prior: Path | None = None  # None: the shipped prior
    own_steps: int = 0  # train the own-clip models this many steps (0: leave them out)
    pool: PoolConfig | None = None  # the leave-one-speaker-out pooled prior (None: leave it out)
    timing: Timing = "file"  # the clips' sound: the file's own timing, or re-timed by prepare's offset


@dataclass
class AudioEvalJob(Job):
    req: AudioEvalRequest
    name: str = field(default="evaluate audio-to-mouth", init=False)

    def run(self, ctx: JobContext) -> dict:
        if not self.req.cases:
            raise BadInput(
                Text("eval-audio needs prepared clips: --project DIR or --clip DIR (one or more).")
            )
        with reading([c.path for c in self.req.cases], "evaluation", "evaluate"):  # held to the end
            return self._evaluate(ctx)

    def _evaluate(self, ctx: JobContext) -> dict:
        timing = self.req.timing
        if timing not in TIMINGS:
            raise BadInput(
                Text("timing {timing!r} is not one of {timings}", timing=timing, timings=", ".join(TIMINGS))
            )
        t0 = time.time()
        prior = load_prior(self.req.prior)
        trained: dict[str, dict[str, np.ndarray]] = {"own_clip": {}, "prior_finetune": {}}
        if self.req.own_steps > 0:
            for i, case in enumerate(self.req.cases):
                ctx.checkpoint()
                if not has_speech(load_prepared(case.path), prior.fbank):
                    ctx.log(f"{case.path.name}: no speech, so no own-clip model (the trainer refuses it)")
                    continue
                ctx.progress(i, len(self.req.cases), f"training own-clip models on {case.path.name}")
                for method, use_prior in (("own_clip", False), ("prior_finetune", True)):
                    trained[method][case.path.name] = own_clip_coeffs(
                        case.path, self.req.own_steps, use_prior, self.req.prior, timing
                    )

        pooled = {}
        if self.req.pool is not None:

            def on_speaker(done: int, total: int, speaker: str) -> None:
                ctx.checkpoint()
                ctx.progress(done, total, f"pooling the prior on every speaker but {speaker}")

            pooled = pool_loso(list(self.req.cases), prior, self.req.pool, on_speaker, timing)

        def on_clip(done: int, total: int) -> None:
            ctx.progress(done, total, "scoring")
            ctx.checkpoint()  # Ctrl-C / Stop: no further clip is scored

        trained = {k: v for k, v in trained.items() if v}
        pools = {spk: p.info["pooled"]["clips"] for spk, p in pooled.items()}  # what each speaker's saw
        result = evaluate(list(self.req.cases), prior, trained, on_clip, pooled, timing)
        result["summary"] = summary(result)
        result["settings"] = {
            "holdout": HOLDOUT,
            "folds": FOLDS,
            "gap_seconds": GAP_S,
            "timing": timing,
            "own_steps": self.req.own_steps,
            "pool": None if self.req.pool is None else {**self.req.pool.model_dump(), "pools": pools},
            "prior": prior.info,
            "seconds": round(time.time() - t0, 1),
        }
        if self.req.out_json is not None:
            atomic.write_json(self.req.out_json, json_safe(result))
            ctx.artifact(self.req.out_json, "json")
        for line in summary_lines(result):
            ctx.log(line)
        return result


def own_clip_coeffs(
    clip_dir: Path, steps: int, use_prior: bool, prior: Path | None = None, timing: Timing = "retimed"
) -> np.ndarray:
    """Train the audio2mouth job on the clip's first 80 % and predict the whole clip [N, K], both with
    the clip's sound in `timing`."""
    from core.mouth.config import Audio2MouthConfig
    from core.mouth.loader import load_audio2mouth
    from core.mouth.trainer import make_job
    from core.train.run_folder import RunFolder
    from core.train.spec import TrainRequest

    base = Audio2MouthConfig()
    cfg = base.derive(
        train=base.train.derive(steps=steps, holdout=HOLDOUT, sound_timing=timing),
        prior=base.prior.derive(use=use_prior, path=None if prior is None else str(prior)),
    )
    clip = load_prepared(clip_dir, timing)
    with tempfile.TemporaryDirectory(prefix="dh-evalaudio-") as tmp:
        run = RunFolder(Path(tmp) / "run").create("audio2mouth", cfg.model_dump(mode="json"))
        try:
            result = CollectingRunner().run(make_job(cfg, TrainRequest((Path(clip_dir),), run, "cpu")))
        finally:
            run.close()
        if not result.ok:
            raise BadInput(
                Text(
                    "training the own-clip model on {clip} failed: {error}",
                    clip=clip_dir.name,
                    error=result.error,
                )
            )
        return load_audio2mouth(run.path).predict(clip.audio, clip.n_frames)


def summary(result: dict) -> dict:
    """Real (non-synthetic) clips: mean figures per method and set, and the issue's goals checked.

    Goals: the prior alone on every frame (`all`: it used no audio-video pair of the clip) r >= 0.6;
    the better adapted variant, k-fold, r >= 0.7; every method's LMD below the constant mouth's on
    every clip, in each set.
    """
    clips = result["clips"].items()
    real = {n: c for n, c in clips if c["speaker"] != SYNTHETIC and c["info"]["has_speech"]}
    out: dict = {
        "real_clips": sorted(real),
        "left_out_silent": sorted(n for n, c in clips if not c["info"]["has_speech"]),
    }
    for split in SETS:
        out[split] = {}
        for m in sorted({m for c in real.values() for m in c[split]}):
            have = [c[split] for c in real.values() if m in c[split]]
            out[split][m] = {
                **{f"mean_{k}": finite_mean([s[m].get(k, math.nan) for s in have]) for k in FIGURES},
                "lmd_below_constant_on_every_clip": all(
                    s[m]["lmd_px"] < s["constant"]["lmd_px"] for s in have
                ),
            }
    if real:
        adapted = [out["kfold"][m]["mean_mouth_r"] for m in ("prior_adapt_4s", "prior_adapt_all")]
        out["goals"] = {
            "prior_r_ge_0.6": out["all"]["prior"]["mean_mouth_r"] >= GOAL_R_PRIOR,
            "adapted_r_ge_0.7": max(adapted) >= GOAL_R_ADAPTED,
            "lmd_below_constant_on_every_clip": {
                split: {
                    m: v["lmd_below_constant_on_every_clip"] for m, v in out[split].items() if m != "constant"
                }
                for split in SETS
            },
        }
    return out


def summary_lines(result: dict) -> list[str]:
    lines = []
    for name, c in result["clips"].items():
        for split in SETS:
            parts = [
                f"{m} r {s['mouth_r']:.2f} LMD {s['lmd_px']:.2f} sil/speech {s['silence_ratio']:.2f}"
                for m, s in c[split].items()
            ]
            lines.append(f"{name} ({c['speaker']}, {split}): " + "; ".join(parts))
    return lines


def json_safe(d):
    """JSON without NaN (null instead)."""
    if isinstance(d, dict):
        return {k: json_safe(v) for k, v in d.items()}
    if isinstance(d, list | tuple):
        return [json_safe(v) for v in d]
    if isinstance(d, float) and not math.isfinite(d):
        return None
    return d
