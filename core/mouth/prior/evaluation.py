"""Speaker-separated evaluation of audio-to-mouth methods on prepared clips.

Every clip is scored in its own mouth space (PCA fitted on its first 80 %, as the trainer does)
by every method, against two baselines:
  - `constant`: the training frames' mean mouth,
  - `loudness`: the mouth linearly regressed on the frame's loudness (dB),
  - `prior`: the speaker-independent prior, calibrated from landmarks only (no audio-video pairs),
  - `prior_adapt_4s` / `prior_adapt_all`: the prior mapped by a fit on 4 s / all fitting frames,
  - `own_clip`: the current audio2mouth model trained on the clip itself (optional; minutes).
Two frame sets: `holdout` (the last 20 %, fits on the first 80 %, the trainer's split) and `cv`
(two contiguous halves, each predicted by fits on the other, so every frame is scored and no fit
sees the frames it is scored on). The prior never saw any real speaker (it is trained on synthetic
speech only), so each clip is a leave-one-speaker-out test; `speakers` pools a speaker's clips.

Figures per method and set: mouth-opening Pearson r, LMD (crop pixels) and the silence/speech
opening ratio (mean predicted opening in silent frames over that in speech frames; the tracked
ratio is given as `truth`). Silence = frames 25 dB or more below the clip's 90th-percentile level.
`jitter_ratio`: mean frame-to-frame change of the predicted opening over the tracked one (a
chattering mouth scores well above 1).
A diagnostic, never the headline: `mouth_r_best_lag`, the best r with the prediction shifted up to
3 frames either way, because some sample clips' sound is off their picture by 80-120 ms (their
loudness correlates best with the tracked mouth at such a shift too). A clip whose sound track is
silent (`info.has_speech` false) cannot test an audio model and is left out of the summaries.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.face.mouth_metrics import mouth_opening
from core.metrics.correlation import pearson
from core.metrics.landmarks import landmark_distance
from core.mouth.data import ClipData, load_prepared
from core.mouth.metrics import predicted_landmarks
from core.mouth.prior.adapt import adapt, apply_map, calibrate
from core.mouth.prior.model import AudioPrior
from core.mouth.space import MouthSpace

HOLDOUT = 0.2
ADAPT_SECONDS = 4.0
SILENCE_DB = 25.0
SILENT_CLIP_DBFS = -60.0
MAX_LAG = 3  # frames either way for the audio-video offset diagnostic
K = 6


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


def _linear(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Least squares [D + 1, K] of y [N, K] on x [N, D] with a bias."""
    xb = np.concatenate([x, np.ones((len(x), 1))], axis=1)
    return np.linalg.lstsq(xb, y, rcond=None)[0]


def _apply(x: np.ndarray, beta: np.ndarray) -> np.ndarray:
    return np.concatenate([x, np.ones((len(x), 1))], axis=1) @ beta


class _Clip:
    """One clip's tracked coefficients, loudness and the prior's output, shared by every method."""

    def __init__(self, clip: ClipData, prior: AudioPrior) -> None:
        self.clip = clip
        n = clip.n_frames
        self.split = clip.split(HOLDOUT)
        fit = np.flatnonzero(clip.valid[: self.split])
        self.space = MouthSpace.fit(clip.landmarks[fit], K)
        self.coeffs = self.space.encode(clip.landmarks).astype(np.float64)
        self.loud = frame_loudness_db(clip.audio, clip.fps, n)[:, None]
        self.art = prior.predict(clip.audio, clip.fps, n)
        self.adapt_n = int(round(ADAPT_SECONDS * clip.fps))

    def predict(self, method: str, fit: np.ndarray, out: np.ndarray) -> np.ndarray:
        """Coefficients for frames `out` from a method fitted on frames `fit` (valid ones only)."""
        if method not in METHODS:
            raise ValueError(f"unknown method {method!r}; known: {', '.join(METHODS)}")
        return METHODS[method](self, fit[self.clip.valid[fit]], out)

    def _calibrated(self, fit: np.ndarray) -> np.ndarray:
        return calibrate(self.space, self.clip.landmarks[fit], self.art)

    def _adapted(self, fit: np.ndarray) -> np.ndarray:
        return adapt(self.art[fit], self.coeffs[fit], self._calibrated(fit))


def _constant(c: _Clip, fit: np.ndarray, out: np.ndarray) -> np.ndarray:
    return np.repeat(c.coeffs[fit].mean(axis=0, keepdims=True), len(out), axis=0)


def _loudness(c: _Clip, fit: np.ndarray, out: np.ndarray) -> np.ndarray:
    return _apply(c.loud[out], _linear(c.loud[fit], c.coeffs[fit]))


METHODS = {
    "constant": _constant,
    "loudness": _loudness,
    "prior": lambda c, fit, out: apply_map(c.art[out], c._calibrated(fit)),
    "prior_adapt_4s": lambda c, fit, out: apply_map(c.art[out], c._adapted(fit[: c.adapt_n])),
    "prior_adapt_all": lambda c, fit, out: apply_map(c.art[out], c._adapted(fit)),
}


def _scores(c: _Clip, coeffs: np.ndarray, frames: np.ndarray) -> dict:
    keep = c.clip.valid[frames]
    frames, coeffs = frames[keep], coeffs[keep]
    tracked = c.clip.landmarks[frames]
    pred = predicted_landmarks(c.space, coeffs, tracked)
    dist = landmark_distance(pred, tracked, c.space.vertices) * c.clip.crop_scale[frames]
    o_pred, o_true = mouth_opening(pred), mouth_opening(tracked)
    loud = c.loud[frames, 0]
    silent = loud < np.percentile(c.loud[:, 0], 90) - SILENCE_DB
    lag_r = {lag: _lagged_r(o_pred, o_true, lag) for lag in range(-MAX_LAG, MAX_LAG + 1)}
    best = max(lag_r, key=lambda k: -np.inf if not math.isfinite(lag_r[k]) else lag_r[k])
    return {
        "mouth_r": pearson(o_pred, o_true),
        "mouth_r_best_lag": lag_r[best],
        "best_lag_frames": int(best),
        "lmd_px": float(dist.mean()),
        "silence_ratio": _ratio(o_pred, silent),
        "jitter_ratio": _jitter(o_pred, o_true),
        "silence_ratio_truth": _ratio(o_true, silent),
        "frames": int(len(frames)),
        "silent_frames": int(silent.sum()),
        "_opening": (o_pred, o_true),
    }


def _lagged_r(pred: np.ndarray, true: np.ndarray, lag: int) -> float:
    """r with the prediction shifted `lag` frames later (pred[t + lag] against true[t])."""
    if lag > 0:
        return pearson(pred[lag:], true[:-lag])
    if lag < 0:
        return pearson(pred[:lag], true[-lag:])
    return pearson(pred, true)


def _jitter(pred: np.ndarray, true: np.ndarray) -> float:
    """Mean frame-to-frame change of the predicted opening over the tracked one (chatter > 1)."""
    moved = float(np.nanmean(np.abs(np.diff(true)))) if len(true) > 1 else float("nan")
    return float(np.nanmean(np.abs(np.diff(pred))) / moved) if moved and moved > 1e-9 else float("nan")


def _ratio(opening: np.ndarray, silent: np.ndarray) -> float:
    if silent.sum() < 2 or (~silent).sum() < 2:
        return float("nan")
    return float(np.mean(opening[silent]) / max(np.mean(opening[~silent]), 1e-9))


def evaluate_clip(clip: ClipData, prior: AudioPrior, trained: dict[str, np.ndarray] | None = None) -> dict:
    """{set: {method: scores}} for one clip; `trained` = {method: coefficients [N, K] in this clip's
    space} of models trained on the clip's first 80 % (scored on the holdout only)."""
    c = _Clip(clip, prior)
    n = clip.n_frames
    train, hold = np.arange(c.split), np.arange(c.split, n)
    half = n // 2
    first, second = np.arange(half), np.arange(half, n)
    out: dict = {"holdout": {}, "cv": {}}
    for m in METHODS:
        out["holdout"][m] = _scores(c, c.predict(m, train, hold), hold)
        pred = np.concatenate([c.predict(m, second, first), c.predict(m, first, second)])
        out["cv"][m] = _scores(c, pred, np.arange(n))
    for method, coeffs in (trained or {}).items():
        out["holdout"][method] = _scores(c, np.asarray(coeffs, np.float64)[hold], hold)
    level = 10 * np.log10(float(np.mean(np.asarray(clip.audio, np.float64) ** 2)) + 1e-12)
    out["info"] = {
        "frames": n,
        "fps": clip.fps,
        "seconds": round(n / clip.fps, 2),
        "split": int(c.split),
        "audio_dbfs": round(level, 1),
        "has_speech": bool(level > SILENT_CLIP_DBFS),  # a clip with a silent track cannot test an audio model
    }
    return out


def evaluate(
    cases: list[ClipCase], prior: AudioPrior, trained: dict[str, dict[str, np.ndarray]] | None = None
) -> dict:
    """Per clip, per speaker (frames pooled) and overall figures; see the module docstring."""
    clips, per_clip = {}, {}
    for case in cases:
        clip = load_prepared(case.path)
        clips[clip.name] = case.speaker
        mine = {m: by_clip[clip.name] for m, by_clip in (trained or {}).items() if clip.name in by_clip}
        per_clip[clip.name] = evaluate_clip(clip, prior, mine)
    speakers = {}
    for spk in sorted(set(clips.values())):
        names = [n for n, s in clips.items() if s == spk]
        speakers[spk] = {"clips": names, **_pooled([per_clip[n] for n in names])}
    result = {
        "clips": {n: {"speaker": clips[n], **_public(v)} for n, v in per_clip.items()},
        "speakers": speakers,
    }
    return result


def _pooled(results: list[dict]) -> dict:
    out: dict = {}
    for split in ("holdout", "cv"):
        out[split] = {}
        for m in results[0][split]:
            rs = [r[split][m] for r in results if m in r[split]]
            o_p = np.concatenate([r["_opening"][0] for r in rs])
            o_t = np.concatenate([r["_opening"][1] for r in rs])
            w = [r["frames"] for r in rs]
            out[split][m] = {
                "mouth_r": pearson(o_p, o_t),
                "lmd_px": float(np.average([r["lmd_px"] for r in rs], weights=w)),
                "silence_ratio": _nanmean([r["silence_ratio"] for r in rs]),
                "frames": int(sum(w)),
            }
    return out


def _nanmean(xs: list[float]) -> float:
    xs = [x for x in xs if math.isfinite(x)]
    return float(np.mean(xs)) if xs else float("nan")


def _public(d):
    """Drop the private arrays kept for pooling."""
    if isinstance(d, dict):
        return {k: _public(v) for k, v in d.items() if not k.startswith("_")}
    return d
