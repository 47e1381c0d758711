"""Speaker-separated evaluation of audio-to-mouth methods on prepared clips.

Every clip is scored in its own mouth space (PCA fitted on its first 80 %, as the trainer does)
by every method, against two baselines:
  - `constant`: the fitting frames' mean mouth,
  - `loudness`: the mouth linearly regressed on the frame's loudness (dB),
  - `prior`: the speaker-independent prior, calibrated from landmarks only (no audio-video pairs),
  - `pooled`: route (c), leave-one-speaker-out: the prior fine-tuned on the other speakers' real
    clips (`core.mouth.prior.pooled`), then calibrated from landmarks exactly as `prior` is; it
    used nothing of the held-out speaker but its landmarks (only when pooled priors are given),
  - `prior_adapt_4s` / `prior_adapt_all`: the prior mapped by a fit on 4 s / all fitting frames
    (`adapt`, as the trainer does); `prior_adapt_all_timed`: map and timing (`adapt_timed`),
  - `own_clip` / `prior_finetune`: audio2mouth models trained on the clip's first 80 % (optional).
Three frame sets, chosen so no figure rests on a fit that saw its test frames' audio-video pairs:
  - `all`: every frame, for the methods that use no audio-video pairs (`constant`, `prior`). The
    prior never heard any real speaker (it is trained on synthetic speech only), so the whole
    clip is unseen: the largest, least noisy test.
  - `kfold`: FOLDS contiguous folds in time; each is predicted by fits on the other frames, minus
    GAP_S on either side of the fold (neighbouring frames are nearly copies of the test frames).
    Every frame is scored once; `mouth_r` is the mean of the folds' r, `fold_r_sd` their spread.
  - `holdout`: the last 20 %, every fit on the first 80 %: the trainer's split, the one set where
    the own-clip models (trained by the audio2mouth job on that split) are compared.
Each clip is a leave-one-speaker-out test for the prior; `speakers` pools a speaker's clips.

Figures per method and set (`core.mouth.metrics.mouth_scores`, pose-free): mouth-opening Pearson r
(NaN for a constant mouth), LMD (crop pixels) and the silence/speech opening ratio (mean predicted
opening in silent frames over that in speech frames; the tracked ratio is `silence_ratio_truth`).
Silence = frames 25 dB or more below the clip's 90th-percentile level. `jitter_ratio`: mean
frame-to-frame change of the predicted opening over the tracked one (a chattering mouth scores
well above 1). A diagnostic, never the headline: `mouth_r_best_lag`, the best r with the prediction
shifted up to MAX_LAG frames either way (`best_lag_frames` > 0: the prediction is late; in
`kfold` over the pooled out-of-fold series). A clip whose sound track is silent
(`info.has_speech` false) cannot test an audio model and is left out of the summaries.

`timing`: every clip's sound as the file has it ("file", the headline, comparable with earlier
figures) or re-timed by the offset prepare measured (`core.mouth.av_sync`, "retimed"). That offset
was chosen by the prior on the same clip (a one-parameter fit on the test frames), so re-timed
figures of the prior are optimistic; they show what the own-clip models gain from in-sync pairs.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from core.metrics.correlation import best_lag, pearson
from core.mouth.data import ClipData, load_prepared
from core.mouth.metrics import mouth_scores
from core.mouth.prior.adapt import adapt, adapt_timed, apply_map, calibrate, shifted
from core.mouth.prior.model import AudioPrior
from core.mouth.space import MouthSpace

if TYPE_CHECKING:
    from core.face.prepared import Timing

HOLDOUT = 0.2
FOLDS = 5
GAP_S = 0.25  # seconds left out of the fit on either side of a test fold
ADAPT_SECONDS = 4.0
SILENCE_DB = 25.0
SILENT_CLIP_DBFS = -60.0
MAX_LAG = 4  # frames either way for the audio-video offset diagnostic
K = 6
PAIR_FREE = ("constant", "prior", "pooled")  # methods fitted without audio-video pairs: every frame
SYNTHETIC = "synthetic"  # the speaker label of the generated demo: never part of the real summaries


@dataclass(frozen=True)
class ClipCase:
    path: Path  # prepared clip folder
    speaker: str


def frame_loudness_db(audio: np.ndarray, fps: float, n: int, rate: int = 16000) -> np.ndarray:
    """Each video frame's own audio level [n], dBFS."""
    edges = np.round(np.arange(n + 1) * rate / fps).astype(int)
    out = np.full(n, -120.0)
    for j in range(n):
        seg = audio[edges[j] : edges[j + 1]].astype(np.float64)
        if seg.size:
            out[j] = 10 * np.log10(np.mean(seg**2) + 1e-12)
    return out


def time_folds(n: int, folds: int, gap: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """(fit frames, test frames) per contiguous fold of range(n); fits skip `gap` frames each side."""
    edges = np.linspace(0, n, folds + 1).round().astype(int)
    frames = np.arange(n)
    return [(frames[(frames < a - gap) | (frames >= b + gap)], frames[a:b]) for a, b in pairwise(edges)]


def _linear(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Least squares [D + 1, K] of y [N, K] on x [N, D] with a bias."""
    xb = np.concatenate([x, np.ones((len(x), 1))], axis=1)
    return np.linalg.lstsq(xb, y, rcond=None)[0]


def _apply(x: np.ndarray, beta: np.ndarray) -> np.ndarray:
    return np.concatenate([x, np.ones((len(x), 1))], axis=1) @ beta


class _Clip:
    """One clip's tracked coefficients, loudness and the prior's output, shared by every method."""

    def __init__(self, clip: ClipData, prior: AudioPrior, pooled: AudioPrior | None = None) -> None:
        self.clip = clip
        n = clip.n_frames
        self.split = clip.split(HOLDOUT)
        fit = np.flatnonzero(clip.valid[: self.split])
        self.space = MouthSpace.fit(clip.landmarks[fit], K)
        self.coeffs = self.space.encode(clip.landmarks).astype(np.float64)
        self.loud = frame_loudness_db(clip.audio, clip.fps, n)[:, None]
        self.art = prior.predict(clip.audio, clip.fps, n)
        self.art_pooled = None if pooled is None else pooled.predict(clip.audio, clip.fps, n)
        self.methods = [m for m in METHODS if m != "pooled" or pooled is not None]
        self.adapt_n = int(round(ADAPT_SECONDS * clip.fps))
        self.gap = int(round(GAP_S * clip.fps))

    def predict(self, method: str, fit: np.ndarray, out: np.ndarray) -> np.ndarray:
        """Coefficients for frames `out` from a method fitted on frames `fit` (valid ones only)."""
        if method not in METHODS:
            raise ValueError(f"unknown method {method!r}; known: {', '.join(METHODS)}")
        return METHODS[method](self, fit[self.clip.valid[fit]], out)

    def _calibrated(self, fit: np.ndarray) -> np.ndarray:
        return calibrate(self.space, self.clip.landmarks[fit], self.art)

    def _pooled(self, fit: np.ndarray, out: np.ndarray) -> np.ndarray:
        """The pooled prior's output calibrated like the prior's: landmarks only, no pairs."""
        if self.art_pooled is None:
            raise ValueError("the `pooled` method needs a pooled prior (evaluate(..., pooled=...))")
        art = self.art_pooled
        return apply_map(art[out], calibrate(self.space, self.clip.landmarks[fit], art))

    def _adapted(self, fit: np.ndarray, out: np.ndarray) -> np.ndarray:
        """The trainer's adaptation (`adapt`: the map alone) fitted on `fit`, for frames `out`."""
        return apply_map(self.art[out], adapt(self.art[fit], self.coeffs[fit], self._calibrated(fit)))

    def _adapted_timed(self, fit: np.ndarray, out: np.ndarray) -> np.ndarray:
        """`adapt_timed` (map and a -2..+2 frame shift) fitted on `fit`, for frames `out`."""
        shift, mapping = adapt_timed(self.space, [self.art], [fit], [self.clip.landmarks[fit]])
        return apply_map(shifted(self.art, shift)[out], mapping)


def _constant(c: _Clip, fit: np.ndarray, out: np.ndarray) -> np.ndarray:
    return np.repeat(c.coeffs[fit].mean(axis=0, keepdims=True), len(out), axis=0)


def _loudness(c: _Clip, fit: np.ndarray, out: np.ndarray) -> np.ndarray:
    return _apply(c.loud[out], _linear(c.loud[fit], c.coeffs[fit]))


METHODS = {
    "constant": _constant,
    "loudness": _loudness,
    "prior": lambda c, fit, out: apply_map(c.art[out], c._calibrated(fit)),
    "pooled": lambda c, fit, out: c._pooled(fit, out),
    "prior_adapt_4s": lambda c, fit, out: c._adapted(fit[: c.adapt_n], out),
    "prior_adapt_all": lambda c, fit, out: c._adapted(fit, out),
    "prior_adapt_all_timed": lambda c, fit, out: c._adapted_timed(fit, out),
}


def _scores(c: _Clip, coeffs: np.ndarray, frames: np.ndarray) -> dict:
    keep = c.clip.valid[frames]
    frames, coeffs = frames[keep], coeffs[keep]
    s = mouth_scores(c.space, coeffs, c.clip.landmarks[frames], c.clip.crop_scale[frames])
    o_pred, o_true = s["opening_pred"], s["opening_true"]
    loud = c.loud[frames, 0]
    silent = loud < np.percentile(c.loud[:, 0], 90) - SILENCE_DB
    best, best_r = best_lag(o_pred, o_true, MAX_LAG)
    return {
        "mouth_r": s["mouth_r"],
        "mouth_r_best_lag": best_r,
        "best_lag_frames": best,
        "lmd_px": s["lmd_px"],
        "silence_ratio": _ratio(o_pred, silent),
        "jitter_ratio": _jitter(o_pred, o_true),
        "silence_ratio_truth": _ratio(o_true, silent),
        "frames": int(len(frames)),
        "silent_frames": int(silent.sum()),
        "_opening": (o_pred, o_true),
    }


def _jitter(pred: np.ndarray, true: np.ndarray) -> float:
    """Mean frame-to-frame change of the predicted opening over the tracked one (chatter > 1)."""
    moved = float(np.nanmean(np.abs(np.diff(true)))) if len(true) > 1 else float("nan")
    return float(np.nanmean(np.abs(np.diff(pred))) / moved) if moved and moved > 1e-9 else float("nan")


def _ratio(opening: np.ndarray, silent: np.ndarray) -> float:
    if silent.sum() < 2 or (~silent).sum() < 2:
        return float("nan")
    return float(np.mean(opening[silent]) / max(np.mean(opening[~silent]), 1e-9))


def _kfold(c: _Clip, method: str) -> dict:
    """Out-of-fold predictions of every frame. `mouth_r` is the mean of the folds' own r (`fold_r`,
    spread `fold_r_sd`); `mouth_r_pooled`, r over all folds at once, is biased low for any method
    with a fitted offset (each fold's offset comes from the other folds: a constant mouth scores
    about -0.5 that way), so it is a diagnostic only. LMD and the ratios are over every frame."""
    n = c.clip.n_frames
    folds = time_folds(n, FOLDS, c.gap)
    pred = np.concatenate([c.predict(method, fit, test) for fit, test in folds])
    out = _scores(c, pred, np.arange(n))
    rs = [pearson(*_opening_at(c, pred, test[c.clip.valid[test]])) for _, test in folds]
    finite = [r for r in rs if math.isfinite(r)]
    out["mouth_r_pooled"] = out["mouth_r"]
    out["mouth_r"] = float(np.mean(finite)) if finite else float("nan")
    out["fold_r"] = [float(r) if math.isfinite(r) else None for r in rs]
    out["fold_r_sd"] = float(np.std(finite)) if len(finite) > 1 else float("nan")
    return out


def _opening_at(c: _Clip, pred: np.ndarray, frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    s = mouth_scores(c.space, pred[frames], c.clip.landmarks[frames], c.clip.crop_scale[frames])
    return s["opening_pred"], s["opening_true"]


def evaluate_clip(
    clip: ClipData,
    prior: AudioPrior,
    trained: dict[str, np.ndarray] | None = None,
    pooled: AudioPrior | None = None,
) -> dict:
    """{set: {method: scores}} for one clip; `trained` = {method: coefficients [N, K] in this clip's
    space} of models trained on the clip's first 80 % (scored on the holdout only); `pooled`: the
    prior fine-tuned on other speakers' clips (the `pooled` method; left out when None)."""
    c = _Clip(clip, prior, pooled)
    n = clip.n_frames
    every = np.arange(n)
    train, hold = np.arange(c.split), np.arange(c.split, n)
    out: dict = {"all": {}, "kfold": {}, "holdout": {}}
    for m in (m for m in PAIR_FREE if m in c.methods):
        out["all"][m] = _scores(c, c.predict(m, every, every), every)
    for m in c.methods:
        out["kfold"][m] = _kfold(c, m)
        out["holdout"][m] = _scores(c, c.predict(m, train, hold), hold)
    for method, coeffs in (trained or {}).items():
        out["holdout"][method] = _scores(c, np.asarray(coeffs, np.float64)[hold], hold)
    level = 10 * np.log10(float(np.mean(np.asarray(clip.audio, np.float64) ** 2)) + 1e-12)
    out["info"] = {
        "frames": n,
        "fps": clip.fps,
        "seconds": round(n / clip.fps, 2),
        "split": int(c.split),
        "folds": FOLDS,
        "gap_frames": c.gap,
        "audio_dbfs": round(level, 1),
        "has_speech": bool(level > SILENT_CLIP_DBFS),  # a clip with a silent track cannot test an audio model
        "av_offset_ms": clip.av_offset.offset_ms,  # prepare's measured offset (the audio moved by it or not)
        "av_offset_source": clip.av_offset.source,
    }
    return out


def evaluate(
    cases: list[ClipCase],
    prior: AudioPrior,
    trained: dict[str, dict[str, np.ndarray]] | None = None,
    on_clip: Callable[[int, int], None] | None = None,
    pooled: dict[str, AudioPrior] | None = None,
    timing: Timing = "file",
) -> dict:
    """Per clip, per speaker (frames pooled) and overall figures; see the module docstring.

    ``on_clip(done, total)`` is called before each clip and after the last (a job's progress and cancel).
    ``pooled``: {speaker: the prior fine-tuned on the other speakers' clips} (`pool_loso`).
    """
    clips, per_clip = {}, {}
    for i, case in enumerate(cases):
        if on_clip is not None:
            on_clip(i, len(cases))
        clip = load_prepared(case.path, timing)
        clips[clip.name] = case.speaker
        mine = {m: by_clip[clip.name] for m, by_clip in (trained or {}).items() if clip.name in by_clip}
        per_clip[clip.name] = evaluate_clip(clip, prior, mine, (pooled or {}).get(case.speaker))
    if on_clip is not None:
        on_clip(len(cases), len(cases))
    speakers = {}
    for spk in sorted(set(clips.values())):
        names = [n for n, s in clips.items() if s == spk]
        speakers[spk] = {"clips": names, **_pooled([per_clip[n] for n in names])}
    return {
        "clips": {n: {"speaker": clips[n], **_public(v)} for n, v in per_clip.items()},
        "speakers": speakers,
    }


SETS = ("all", "kfold", "holdout")


def _pooled(results: list[dict]) -> dict:
    """A speaker's clips together: r over their frames pooled (over their folds for `kfold`)."""
    out: dict = {}
    for split in SETS:
        out[split] = {}
        for m in results[0][split]:
            rs = [r[split][m] for r in results if m in r[split]]
            if "fold_r" in rs[0]:
                r = finite_mean([f for x in rs for f in x["fold_r"] if f is not None])
            else:
                o_p = np.concatenate([x["_opening"][0] for x in rs])
                o_t = np.concatenate([x["_opening"][1] for x in rs])
                r = pearson(o_p, o_t)
            w = [x["frames"] for x in rs]
            out[split][m] = {
                "mouth_r": r,
                "lmd_px": float(np.average([x["lmd_px"] for x in rs], weights=w)),
                "silence_ratio": finite_mean([x["silence_ratio"] for x in rs]),
                "frames": int(sum(w)),
            }
    return out


def finite_mean(xs: list[float]) -> float:
    """Mean of the finite values (NaN when there are none): a clip without speech has no r."""
    xs = [x for x in xs if math.isfinite(x)]
    return float(np.mean(xs)) if xs else float("nan")


def _public(d):
    """Drop the private arrays kept for pooling."""
    if isinstance(d, dict):
        return {k: _public(v) for k, v in d.items() if not k.startswith("_")}
    return d
