"""The live lookahead trade-off: how much latency each lookahead setting costs and how much lip-sync
accuracy it buys, as measured by `benchmarks/bench_live_latency.py`.

Two lookaheads add up in the live engine (`core.realtime.engine`):
- the model's own (`ModelConfig.lookahead`, fixed when the audio model is trained): its LSTM hears
  that many video frames of future speech before it outputs a frame;
- the controls' smoothing lookahead (`ControlValues.lookahead`, the GUI slider, changeable live):
  the engine waits that many frames more to average each frame's coefficients over a window
  centred on it.
Each frame of either adds one frame period (40 ms at 25 fps) to the built-in 30 ms of the feature
window. The benchmark writes the measured curve to `resources/live_lookahead.json`: per setting,
end-to-end latency (p50/p95 alone and beside a competing process) and held-out mouth-opening r and
LMD as fractions of the full-lookahead reference. `LookaheadCurve.choose` picks the default: the
most accurate setting (the worse of its r and LMD fractions) whose p95 beside a busy process is within
`budget_ms` (100 ms, live's latency goal); the project's defaults are that choice (a test checks it),
and the slider's tooltip describes each value from the curve. `lowest_keeping(keep)` is the other
reading of the trade-off, the lowest-latency setting keeping `keep` (95 %) of both; measured over
training seeds on the real clips with their own sound-picture offsets removed (`core.mouth.av_sync`),
it is model lookahead 0 for the 24-bin prior (95.7 % of r, 95.2 % of LMD); the default, lookahead 1,
keeps 99.5 % and 99.3 % for 40 ms more. On the files' own timing lookahead 0 keeps 92 % of the
adapted r: clip a's sound runs 120 ms late, so more lookahead hears more of it.

`SmoothedPrior` runs the live filter after the audio prior so the existing speaker-separated
evaluation (`core.mouth.prior.evaluation`) scores a smoothing lookahead exactly as live applies it.
`seed_summary` / `seed_fractions` / `paired_fractions` compare settings over several training seeds:
runs of one recipe differ by several per cent on the real clips, more than the 5 % being decided.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydantic import Field, ValidationError

from core.config.model import ConfigModel
from core.jobs.errors import BadInput
from core.jobs.message import Text
from core.mouth.prior.model import AudioPrior
from core.mouth.streaming import MouthStepper, stream_all
from core.realtime.controls import CoefficientFilter, ControlValues, LiveControls

FORMAT = "dhstudio-live-lookahead"
VERSION = 1
CURVE_PATH = Path(__file__).resolve().parents[2] / "resources" / "live_lookahead.json"
REGENERATE = "PYTHONPATH=. python benchmarks/bench_live_latency.py"
KEEP = 0.95  # share of the full-lookahead accuracy a setting should keep (reported, see `lowest_keeping`)
BUDGET_MS = 100.0  # live's latency goal: p95 end to end beside a busy process
# the accuracy rows: per method, the evaluation's frame set (core.mouth.prior.evaluation): the prior
# uses no audio-video pair, so every frame is a test frame; the adapted prior is scored out of fold
HEADLINE_SET = {"prior": "all", "prior_adapt_all": "kfold"}
HEADLINE_METHODS = tuple(HEADLINE_SET)


class LookaheadPoint(ConfigModel):
    """One setting's measured latency (ms) and accuracy (fractions of the reference's)."""

    model_lookahead: int = Field(ge=0, le=4)
    smoothing_lookahead: int = Field(ge=0, le=4)
    built_in_ms: float = Field(ge=0.0)  # feature window + both lookaheads
    p50_ms: float = Field(ge=0.0)
    p95_ms: float = Field(ge=0.0)
    p50_contended_ms: float = Field(ge=0.0)
    p95_contended_ms: float = Field(ge=0.0)
    cpu_ms_per_frame: float = Field(ge=0.0)
    mouth_r: float
    lmd_px: float = Field(gt=0.0)
    r_fraction: float  # mouth_r / reference mouth_r (1 = as good)
    lmd_fraction: float = Field(gt=0.0)  # reference LMD / LMD (1 = as good, < 1 worse)

    @property
    def key(self) -> tuple[int, int]:
        return self.model_lookahead, self.smoothing_lookahead

    def keeps(self, keep: float) -> bool:
        return self.r_fraction >= keep and self.lmd_fraction >= keep


class LookaheadCurve(ConfigModel):
    format: str = FORMAT
    version: int = VERSION
    reference: tuple[int, int] = (2, 0)  # (model, smoothing) lookahead the fractions are relative to
    keep: float = Field(default=KEEP, gt=0.0, le=1.0)
    budget_ms: float = Field(default=BUDGET_MS, gt=0.0)  # the default's contended p95 limit
    accuracy: str = ""  # what r and LMD were measured on
    latency: str = ""  # what the latency figures were measured on
    points: tuple[LookaheadPoint, ...] = Field(min_length=1)

    def point(self, model_lookahead: int, smoothing_lookahead: int) -> LookaheadPoint | None:
        return next((p for p in self.points if p.key == (model_lookahead, smoothing_lookahead)), None)

    def choose(self, budget_ms: float | None = None) -> LookaheadPoint:
        """The default: the most accurate setting (the worse of its r and LMD fractions, then the
        lower contended p95) whose contended p95 is within `budget_ms`; the fastest when none is."""
        budget = self.budget_ms if budget_ms is None else budget_ms
        fit = [p for p in self.points if p.p95_contended_ms <= budget]
        if not fit:
            return min(self.points, key=lambda p: (p.p95_contended_ms, p.built_in_ms))
        return max(fit, key=lambda p: (min(p.r_fraction, p.lmd_fraction), -p.p95_contended_ms))

    def lowest_keeping(self, keep: float | None = None) -> LookaheadPoint:
        """The lowest-latency setting (contended p95, then built-in latency) keeping `keep` of the
        reference's r and LMD; the reference itself when none does."""
        keep = self.keep if keep is None else keep
        fit = [p for p in self.points if p.keeps(keep)]
        if not fit:
            ref = self.point(*self.reference)
            return ref if ref is not None else max(self.points, key=lambda p: p.r_fraction)
        return min(fit, key=lambda p: (p.p95_contended_ms, p.built_in_ms))

    def describe(self, model_lookahead: int, smoothing_lookahead: int, frame_ms: float = 40.0) -> str:
        """One line for the slider's tooltip: the measured cost and accuracy of a setting."""
        p = self.point(model_lookahead, smoothing_lookahead)
        built_in = 30.0 + frame_ms * (model_lookahead + smoothing_lookahead)
        head = f"model lookahead {model_lookahead} + extra {smoothing_lookahead}"
        if p is None:
            return f"{head}: about {built_in:.0f} ms built in (not measured)"
        chosen = f" (default: the most accurate within {self.budget_ms:.0f} ms)" if p == self.choose() else ""
        return (
            f"{head}: p95 latency {p.p95_ms:.0f} ms alone, {p.p95_contended_ms:.0f} ms beside a busy "
            f"process ({p.built_in_ms:.0f} ms built in); lip-sync r {p.r_fraction:.0%}, LMD "
            f"{p.lmd_fraction:.0%} of the full-lookahead model{chosen}"
        )


def load_curve(path: Path | str | None = None) -> LookaheadCurve:
    """The measured curve (the shipped one by default); BadInput naming the file and the fix."""
    path = Path(path) if path is not None else CURVE_PATH
    if not path.is_file():
        raise BadInput(
            Text(
                "no lookahead curve at {path}; measure it with `{regenerate}`",
                path=path,
                regenerate=REGENERATE,
            )
        )
    try:
        curve = LookaheadCurve.model_validate(json.loads(path.read_text()))
    except json.JSONDecodeError as exc:
        raise BadInput(
            Text(
                "{path} is not JSON ({exc}); remeasure it with `{regenerate}`",
                path=path,
                exc=exc,
                regenerate=REGENERATE,
            )
        ) from None
    except ValidationError as exc:
        where = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:3])
        raise BadInput(
            Text(
                "{path} is not a valid lookahead curve ({where}); remeasure it with `{regenerate}`",
                path=path,
                where=where,
                regenerate=REGENERATE,
            )
        ) from None
    if curve.format != FORMAT or curve.version != VERSION:
        raise BadInput(
            Text(
                "{path} holds {curve_format!r} version {curve_version}, not {format!r} version "
                "{version}; remeasure it with `{regenerate}`",
                path=path,
                curve_format=curve.format,
                curve_version=curve.version,
                format=FORMAT,
                version=VERSION,
                regenerate=REGENERATE,
            )
        )
    return curve


def accuracy_headline(result: dict) -> dict:
    """An evaluation result (`core.mouth.prior.evaluation.evaluate`) -> the curve's accuracy row:
    per headline method r and LMD, mean over the real clips and on the synthetic demo."""
    from core.mouth.prior.eval_job import summary

    s = summary(result)
    out: dict = {
        m: {
            "mouth_r": s[where][m]["mean_mouth_r"],
            "lmd_px": s[where][m]["mean_lmd_px"],
            "r_best_lag": s[where][m]["mean_mouth_r_best_lag"],
        }
        for m, where in HEADLINE_SET.items()
    }
    demo = next((c for c in result["clips"].values() if c["speaker"] == "synthetic"), None)
    if demo is not None:
        out["demo"] = {
            m: {k: demo[where][m][k] for k in ("mouth_r", "lmd_px")} for m, where in HEADLINE_SET.items()
        }
    out["constant_lmd_px"] = s["all"]["constant"]["mean_lmd_px"]
    out["loudness_mouth_r"] = s["kfold"]["loudness"]["mean_mouth_r"]
    return out


def accuracy_fractions(row: dict, ref: dict) -> dict:
    """r and LMD of an accuracy row as fractions of the reference row's (1 = as good; LMD:
    ref / row, lower is better), per method on the real clips and on the demo when both have it."""
    places = [("real", lambda d, m: d[m])]
    if "demo" in row and "demo" in ref:
        places.append(("demo", lambda d, m: d["demo"][m]))
    out = {}
    for where, get in places:
        for m in HEADLINE_METHODS:
            a, b = get(row, m), get(ref, m)
            out[f"{where}_{m}"] = {"r": a["mouth_r"] / b["mouth_r"], "lmd": b["lmd_px"] / a["lmd_px"]}
    return out


def seed_summary(rows: list[dict]) -> dict:
    """Rows of one setting from priors that differ only in their training seed -> {"mean": the row
    with every number averaged over the seeds, "sd": their sample standard deviation (0 for one
    seed), "seeds": how many}. One training run per setting cannot decide a 5 % question when runs
    of the same recipe differ by several per cent; the curve compares means. Numbers are leaves of
    nested dicts with the same keys in every row; None and other leaves are left out."""
    if not rows:
        raise ValueError("no rows to average")

    def walk(values: list) -> tuple[object, object] | None:
        first = values[0]
        if isinstance(first, dict):
            pairs = {k: walk([v[k] for v in values]) for k in first}
            kept = {k: p for k, p in pairs.items() if p is not None}
            return {k: p[0] for k, p in kept.items()}, {k: p[1] for k, p in kept.items()}
        if isinstance(first, bool) or not isinstance(first, (int, float)):
            return None
        xs = np.asarray(values, dtype=np.float64)
        return float(xs.mean()), float(xs.std(ddof=1)) if len(xs) > 1 else 0.0

    mean, sd = walk(list(rows))  # type: ignore[misc]
    return {"mean": mean, "sd": sd, "seeds": len(rows)}


def seed_fractions(rows: list[dict], ref_mean: dict) -> dict:
    """Each seed's row as fractions of the reference's seed mean -> their mean and sd over seeds
    (`accuracy_fractions` per seed, then `seed_summary`): the spread of a setting's fraction."""
    return seed_summary([accuracy_fractions(r, ref_mean) for r in rows])


def paired_fractions(rows: list[dict], ref_rows: list[dict]) -> dict:
    """Each seed's row as fractions of the reference's row of the same seed (the same synthetic
    corpus and training order, only the lookahead differs) -> their mean and sd over seeds: the
    paired comparison, free of the run-to-run spread both share."""
    if len(rows) != len(ref_rows):
        raise ValueError(f"{len(rows)} rows against {len(ref_rows)} reference rows: pair them by seed")
    return seed_summary([accuracy_fractions(r, ref) for r, ref in zip(rows, ref_rows, strict=True)])


@dataclass
class SmoothedPrior(AudioPrior):
    """The audio prior followed by the live engine's coefficient filter at a smoothing lookahead."""

    smoothing_lookahead: int = 0

    def predict(self, audio_16k, fps, n_frames=None, norm=None) -> np.ndarray:
        norm = norm or self.norm_for(audio_16k)
        controls = LiveControls(ControlValues(lookahead=self.smoothing_lookahead))
        stepper = MouthStepper.for_net(self.net, norm, self.fbank, fps)
        return stream_all(stepper, audio_16k, n_frames, CoefficientFilter(controls))

    @classmethod
    def of(cls, prior: AudioPrior, smoothing_lookahead: int) -> SmoothedPrior:
        return cls(prior.net, prior.fbank, dict(prior.info), int(smoothing_lookahead))
