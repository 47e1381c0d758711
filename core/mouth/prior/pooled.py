"""Route (c) of the prior: fine-tune it on real prepared clips (other speakers', a user's other clips).

A real clip has no phone timings, so its articulatory targets come from its tracked landmarks by
the inverse of `core.mouth.prior.adapt.calibrate`: `open` is the lip opening scaled so the clip's
5th..95th-percentile range spans 0..1, `spread` / `round` the mouth width above / below its median
in standard deviations (each clipped to 0..1, as the synthetic targets are). These are exactly the
units `calibrate` maps back into a mouth space, so a pooled prior is used like the shipped one:
its output over a new speaker's audio, calibrated from that speaker's landmarks alone.

Training is the prior's own loop (`core.mouth.prior.build.fit_net`) from the shipped weights, on
windows of the clips (each normalised with its own feature statistics, as at use), optionally mixed
with synthetic espeak-ng utterances so the prior keeps what it knew (`synthetic` > 0).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import torch
from pydantic import Field

from core.audio.alignment import clip_pairs
from core.audio.fbank import FbankConfig, compute_fbank
from core.audio.normalization import NormStats, audible
from core.audio.silence import is_silent, voiced_fraction
from core.config.model import ConfigModel
from core.face.mouth_metrics import mouth_opening, mouth_width
from core.face.prepared import Timing
from core.jobs.errors import BadInput
from core.jobs.message import Text
from core.metrics.correlation import best_lag
from core.mouth.data import ClipData, load_prepared
from core.mouth.model import Audio2Mouth
from core.mouth.prior.adapt import OPEN_GAIN, WIDTH_SPAN
from core.mouth.prior.build import PriorBuildConfig, corpus_tensors, fit_net
from core.mouth.prior.evaluation import SYNTHETIC, ClipCase
from core.mouth.prior.model import AudioPrior

MIN_FRAMES = 16  # a clip shorter than this teaches nothing and cannot fill a window


class PoolConfig(ConfigModel):
    """The defaults are the best of 11 settings measured leave-one-speaker-out on the sample clips
    (benchmarks/results/audio_prior.json, `pooled`), so their figure is an upper estimate."""

    steps: int = Field(default=100, ge=1)
    lr: float = Field(default=3e-4, gt=0.0)
    batch: int = Field(default=16, ge=1)
    window: int = Field(default=60, ge=8)  # video frames per training window
    synthetic: int = Field(default=0, ge=0)  # espeak-ng utterances mixed in (0: real clips only)
    real_share: float = Field(default=0.5, gt=0.0, le=1.0)  # share of windows from real clips when mixed
    # shift each clip's targets by its own audio-video offset (the prior's best lag on it, up to this
    # many frames either way) so a file's offset is not learnt as the speaker's timing; 0: no shift
    align_lag: int = Field(default=4, ge=0, le=8)
    finetune: Literal["all", "head"] = "all"  # head: the prior's speech layers stay as built
    seed: int = 0


def clip_targets(landmarks: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
    """Articulatory targets [N, 3] (open, round, spread) of a tracked clip [N, 478, 3].

    Untracked frames (`valid` false or NaN landmarks) take the nearest tracked frame's targets.
    """
    lm = np.asarray(landmarks, np.float64)
    o, w = mouth_opening(lm).astype(np.float64), mouth_width(lm).astype(np.float64)
    ok = np.isfinite(o) & np.isfinite(w)
    if valid is not None:
        ok &= np.asarray(valid, bool)
    if ok.sum() < 2:
        raise BadInput(Text("a clip needs at least two tracked frames to give the prior mouth targets"))
    o_lo, o_hi = np.percentile(o[ok], 5), np.percentile(o[ok], 95)
    w_mid, w_sd = float(np.median(w[ok])), float(np.std(w[ok]))
    opening = (o - o_lo) / max(OPEN_GAIN * (o_hi - o_lo), 1e-9)
    dev = (w - w_mid) / max(WIDTH_SPAN * w_sd, 1e-9)
    out = np.stack([np.clip(opening, 0.0, 1.2), np.clip(-dev, 0.0, 1.0), np.clip(dev, 0.0, 1.0)], axis=1)
    idx = np.flatnonzero(ok)
    frames = np.arange(len(o))
    after = np.clip(np.searchsorted(idx, frames), 0, len(idx) - 1)
    before = np.clip(after - 1, 0, len(idx) - 1)
    nearest = np.where(np.abs(idx[before] - frames) <= np.abs(idx[after] - frames), idx[before], idx[after])
    out[~ok] = out[nearest[~ok]]
    return out.astype(np.float32)


def clip_lag(prior: AudioPrior, clip: ClipData, targets: np.ndarray, max_lag: int) -> int:
    """Frames the prior's opening runs late on this clip (best r within +-max_lag; 0 if undefined)."""
    if max_lag <= 0:
        return 0
    art = prior.predict(clip.audio, clip.fps, clip.n_frames)
    return best_lag(art[:, 0], targets[:, 0], max_lag)[0]


def clip_tensors(
    clip: ClipData, fbank: FbankConfig, lookahead: int, lag: int = 0, targets: np.ndarray | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """(normalised pairs [N + lookahead, 2*bins], targets [N, 3]) of one prepared clip; with `lag`
    > 0 (the sound leads the picture by `lag` frames) the targets move `lag` frames later.
    `targets`: the clip's `clip_targets` when the caller has them already."""
    audio = np.asarray(clip.audio, np.float32)
    feats = compute_fbank(audio, fbank)
    n = clip.n_frames
    norm = NormStats.fit([audible(feats, audio, fbank)])
    pairs = norm.apply(clip_pairs(feats, n, clip.fps, fbank, lookahead))
    if targets is None:
        targets = clip_targets(clip.landmarks, clip.valid)
    targets = targets[np.clip(np.arange(n) - int(lag), 0, n - 1)]
    return torch.from_numpy(pairs), torch.from_numpy(targets)


def pool_prior(prior: AudioPrior, clips: list[ClipData], cfg: PoolConfig, progress=None) -> AudioPrior:
    """The prior fine-tuned on `clips` (eval mode); the input prior is left as it was."""
    usable = [c for c in clips if c.n_frames >= MIN_FRAMES]
    if not usable:
        raise BadInput(
            Text(
                "pooling the prior needs at least one prepared clip of {min_frames} frames or "
                "more with tracked faces; prepare more clips (`dhstudio prepare`).",
                min_frames=MIN_FRAMES,
            )
        )
    torch.manual_seed(cfg.seed)
    lookahead = prior.net.cfg.lookahead
    net = Audio2Mouth(prior.net.cfg)
    net.load_state_dict(prior.net.state_dict())
    if cfg.finetune == "head":
        for module in (net.pre, net.lstm):
            module.requires_grad_(False)
    targets = [clip_targets(c.landmarks, c.valid) for c in usable]
    lags = [clip_lag(prior, c, t, cfg.align_lag) for c, t in zip(usable, targets, strict=True)]
    cases = zip(usable, lags, targets, strict=True)
    real = [clip_tensors(c, prior.fbank, lookahead, lag, t) for c, lag, t in cases]
    data = list(real)
    if cfg.synthetic > 0:
        synth = corpus_tensors(cfg.synthetic, prior.fbank, lookahead, cfg.seed)
        # repeat the real clips so they make up `real_share` of the windows drawn
        reps = max(1, round(cfg.real_share * len(synth) / ((1.0 - cfg.real_share) * len(real) + 1e-9)))
        data = real * reps + synth if cfg.real_share < 1.0 else real
    loop = PriorBuildConfig(steps=cfg.steps, batch=cfg.batch, window=cfg.window, lr=cfg.lr, seed=cfg.seed)
    fit_net(net, data, loop, lookahead, progress=progress)
    info = {
        **prior.info,
        "pooled": {
            "clips": [c.name for c in usable],
            "frames": int(sum(c.n_frames for c in usable)),
            "lags": lags,
            **cfg.model_dump(),
        },
    }
    return AudioPrior(net.eval(), prior.fbank, info)


def has_speech(clip: ClipData, fbank: FbankConfig) -> bool:
    """Whether the clip's sound track has speech by the trainer's test (`core.mouth.data.drop_silent`)."""
    return not is_silent(voiced_fraction(clip.audio, fbank.shift_samples))


def pool_loso(
    cases: list[ClipCase], prior: AudioPrior, cfg: PoolConfig, on_speaker=None, timing: Timing = "file"
) -> dict[str, AudioPrior]:
    """Leave-one-speaker-out: {speaker: the prior pooled on every other speaker's clips}.

    Only clips with speech are pooled (a silent clip's moving mouth teaches the wrong thing), and
    never the synthetic demo's: the prior was built from that kind of speech, and the pool stands
    for a user's real footage. Speakers without a clip with speech get no pooled prior (nothing of
    theirs can be scored). ``on_speaker(done, total, speaker)`` before each training (progress, cancel).
    ``timing``: the clips' sound as the files have it or re-timed (`PreparedClip.audio`).
    """
    speech = {}
    for i, case in enumerate(cases):
        clip = load_prepared(case.path, timing)
        if has_speech(clip, prior.fbank):
            speech[i] = clip
    speakers = sorted({cases[i].speaker for i in speech})
    out = {}
    for done, spk in enumerate(speakers):
        if on_speaker is not None:
            on_speaker(done, len(speakers), spk)
        pool = [c for i, c in speech.items() if cases[i].speaker not in (spk, SYNTHETIC)]
        if pool:
            out[spk] = pool_prior(prior, pool, cfg)
    return out
