"""Build the prior: synthesize a corpus with espeak-ng, train the small LSTM on it, save it.

    python -m core.mouth.prior.build [--out resources/audio_prior.pt] [--samples 1600] [--steps 3000]
        [--lookahead 2] [--init resources/audio_prior.pt]

A few minutes on one CPU thread. `--init` starts from an existing prior's weights instead of a random
network: the lookahead is only a delay between the LSTM's input and its output, so a prior built at
one lookahead is a warm start for another (the live-latency benchmark derives lookahead 0 and 1 from
the shipped one in a few hundred steps). Every utterance is normalised with its own feature statistics
(as a speaker's clip is at use), windows are drawn at random, and a held-back tenth of the corpus
gives the validation loss stored with the weights. Deterministic for a seed.
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

import numpy as np
import torch
from pydantic import Field

from core.audio.alignment import clip_pairs
from core.audio.fbank import FbankConfig, compute_fbank
from core.audio.normalization import NormStats, audible
from core.config.model import ConfigModel
from core.io import atomic
from core.mouth.model import Audio2Mouth, ModelConfig
from core.mouth.prior.articulation import CHANNELS
from core.mouth.prior.corpus import make_sample
from core.mouth.prior.espeak import Espeak
from core.mouth.prior.model import DEFAULT_PATH, AudioPrior, load_prior

log = logging.getLogger(__name__)

CHANNEL_WEIGHT = (2.0, 1.0, 1.0)  # opening matters most for what a viewer reads as lip-sync
# a masked band spans this share of the mel bins (least, most), in this share of the windows: wide
# masks keep the prior from reading espeak's spectral detail, which real voices do not share
MASK_SHARE = (0.25, 0.75)
MASK_P = 0.5


class PriorBuildConfig(ConfigModel):
    samples: int = Field(default=1200, ge=4)  # synthetic utterances (~5 s each)
    steps: int = Field(default=2500, ge=1)
    batch: int = Field(default=24, ge=1)
    window: int = Field(default=60, ge=8)  # video frames per training window
    lr: float = Field(default=2e-3, gt=0.0)
    seed: int = 0
    # with a teacher prior: the target is (1 - distill) * the phone targets + distill * the teacher's
    # output (it hears its own lookahead of future audio, the input without noise or masking)
    distill: float = Field(default=0.0, ge=0.0, le=1.0)
    # lookahead 1 (40 ms): the live default, the most accurate setting within live's 100 ms (it keeps
    # 99.5 % of the lookahead-2 prior's held-out r; benchmarks/bench_live_latency.py,
    # resources/live_lookahead.json)
    model: ModelConfig = ModelConfig(input_hidden=64, lstm_hidden=64, mlp_hidden=32, dropout=0.1, lookahead=1)
    # 24 mel bins, not the 80 of a model trained on one speaker: the coarser spectrum keeps formant
    # shape and drops the harmonic and fine detail in which espeak's voices differ from real ones
    # (held-out real clips, benchmarks/results/audio_prior.json notes); the prior carries its own
    # features and the audio2mouth job takes them from it
    features: FbankConfig = FbankConfig(num_bins=24)


def corpus_tensors(
    n: int, fbank: FbankConfig, lookahead: int, seed: int
) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """n synthetic utterances -> (normalised pairs [N + L, 2*bins], targets [N, 3]) each."""
    tts, rng = Espeak(), np.random.default_rng(seed)
    out = []
    while len(out) < n:
        s = make_sample(tts, rng)
        feats = compute_fbank(s.audio, fbank)
        if len(s.targets) < 8 or feats.shape[0] < 4:
            continue
        norm = NormStats.fit([audible(feats, s.audio, fbank)])
        pairs = norm.apply(clip_pairs(feats, len(s.targets), s.fps, fbank, lookahead))
        out.append((torch.from_numpy(pairs), torch.from_numpy(s.targets)))
    return out


def _batch(data, rng: np.random.Generator, batch: int, window: int, lookahead: int):
    xs, ys = [], []
    for i in rng.integers(0, len(data), size=batch):
        x, y = data[int(i)]
        if len(y) <= window:  # short utterance: pad with its last frame (silence)
            pad = window - len(y) + 1
            x = torch.cat([x, x[-1:].expand(pad, -1)])
            y = torch.cat([y, y[-1:].expand(pad, -1)])
        s = int(rng.integers(0, len(y) - window + 1))
        xs.append(x[s : s + window + lookahead])
        ys.append(y[s : s + window])
    return torch.stack(xs), torch.stack(ys)


def _spec_augment(x: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
    """Zero one random band of mel bins (`MASK_SHARE` of them) in `MASK_P` of the windows (in both
    frames of each pair), so the prior cannot lean on one region of espeak's spectrum."""
    bins = x.shape[-1] // 2
    least, most = (min(max(1, round(share * bins)), bins) for share in MASK_SHARE)
    mask = torch.ones(x.shape[0], 1, bins)
    for i in range(x.shape[0]):
        if rng.random() < MASK_P:
            width = int(rng.integers(least, most + 1))
            start = int(rng.integers(0, bins - width + 1))
            mask[i, 0, start : start + width] = 0.0
    return x * mask.repeat(1, 1, 2)


def _loss(net: Audio2Mouth, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    pred, _ = net(x[:, : y.shape[1] + net.cfg.lookahead])
    w = torch.tensor(CHANNEL_WEIGHT)
    return (((pred[:, net.cfg.lookahead :] - y) ** 2) * w).mean()


def _distilled(teacher: Audio2Mouth, x: torch.Tensor, y: torch.Tensor, weight: float) -> torch.Tensor:
    """Targets mixed with the teacher's outputs for the same frames (x holds the teacher's lookahead)."""
    with torch.no_grad():
        out, _ = teacher(x[:, : y.shape[1] + teacher.cfg.lookahead])
    return (1.0 - weight) * y + weight * out[:, teacher.cfg.lookahead :]


def fit_net(
    net: Audio2Mouth,
    data: list[tuple[torch.Tensor, torch.Tensor]],
    cfg: PriorBuildConfig,
    span: int,
    teacher: AudioPrior | None = None,
    progress=None,
) -> None:
    """The prior's one training loop: `cfg.steps` AdamW steps on random windows of `data`
    ((normalised pairs [N + span, 2*bins], targets [N, 3]) per utterance or clip), with feature
    noise and band masking; used to build the prior and to pool real clips into it
    (`core.mouth.prior.pooled`)."""
    opt = torch.optim.AdamW(net.parameters(), lr=cfg.lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg.lr, total_steps=cfg.steps, pct_start=0.1)
    rng = np.random.default_rng(cfg.seed + 1)
    for step in range(cfg.steps):
        net.train()
        x, y = _batch(data, rng, cfg.batch, cfg.window, span)
        if teacher is not None and cfg.distill > 0.0:
            y = _distilled(teacher.net, x, y, cfg.distill)
        x = _spec_augment(x + 0.05 * torch.randn_like(x), rng)
        loss = _loss(net, x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()
        sched.step()
        if progress is not None and (step % 100 == 0 or step == cfg.steps - 1):
            progress(step + 1, cfg.steps, f"prior loss {float(loss.detach()):.4f}")


def build_prior(
    cfg: PriorBuildConfig, progress=None, init: AudioPrior | None = None, teacher: AudioPrior | None = None
) -> AudioPrior:
    """Synthesize, train, return the prior (eval mode); `progress(step, total, message)` if given.

    `init`: start from this prior's weights (its shape replaces `cfg.model`'s; the lookahead is
    `cfg.model.lookahead`'s). `teacher`: distil from this prior (weight `cfg.distill`), typically a
    longer-lookahead one: a student that hears less future audio learns the teacher's expectation
    of the mouth instead of the phone targets' sharp transitions, which it cannot anticipate."""
    torch.manual_seed(cfg.seed)
    fbank = cfg.features if init is None else init.fbank
    if init is None:
        net = Audio2Mouth(cfg.model.net(fbank.num_bins, len(CHANNELS)))
    else:
        net = Audio2Mouth(init.net.cfg.model_copy(update={"lookahead": cfg.model.lookahead}))
        net.load_state_dict(init.net.state_dict())
    if teacher is not None and teacher.fbank != fbank:
        raise ValueError("the teacher prior's features differ from the student's")
    span = max(net.cfg.lookahead, teacher.net.cfg.lookahead if teacher is not None else 0)
    t0 = time.time()
    data = corpus_tensors(cfg.samples, fbank, span, cfg.seed)
    n_val = max(1, len(data) // 10)
    val, train = data[:n_val], data[n_val:]
    synth_s = time.time() - t0
    fit_net(net, train, cfg, span, teacher, progress)
    net.eval()
    with torch.no_grad():
        val_loss = float(np.mean([float(_loss(net, x[None], y[None])) for x, y in val]))  # phone targets
    info = {
        "samples": len(data),
        "steps": cfg.steps,
        "seed": cfg.seed,
        "val_loss": val_loss,
        "synth_seconds": round(synth_s, 1),
        "train_seconds": round(time.time() - t0 - synth_s, 1),
        "corpus_hours": round(sum(len(y) for _, y in data) / 25.0 / 3600.0, 2),
        "lookahead": net.cfg.lookahead,
        "lr": cfg.lr,
        "distill": None
        if teacher is None or cfg.distill == 0.0
        else {"weight": cfg.distill, "teacher_lookahead": teacher.net.cfg.lookahead},
        "init": None
        if init is None
        else {
            "samples": init.info.get("samples"),
            "steps": init.info.get("steps"),
            "lookahead": init.net.cfg.lookahead,
        },
    }
    return AudioPrior(net, fbank, info)


def save_prior(prior: AudioPrior, path: Path | str) -> None:
    with atomic.atomic_open(Path(path)) as fh:
        torch.save(prior.to_dict(), fh)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="build the speaker-independent audio-to-mouth prior")
    p.add_argument("--out", type=Path, default=DEFAULT_PATH)
    p.add_argument("--samples", type=int, default=PriorBuildConfig().samples)
    p.add_argument("--steps", type=int, default=PriorBuildConfig().steps)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--lookahead", type=int, default=PriorBuildConfig().model.lookahead)
    p.add_argument("--lr", type=float, default=PriorBuildConfig().lr)
    p.add_argument("--init", type=Path, help="start from this prior's weights (e.g. the shipped one)")
    p.add_argument("--teacher", type=Path, help="distil from this prior (e.g. a lookahead-2 one)")
    p.add_argument("--distill", type=float, default=0.5, help="the teacher's share of the target (0..1)")
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    base = PriorBuildConfig()
    cfg = PriorBuildConfig(
        samples=args.samples,
        steps=args.steps,
        seed=args.seed,
        lr=args.lr,
        distill=args.distill if args.teacher is not None else 0.0,
        model=base.model.derive(lookahead=args.lookahead),
    )
    init = load_prior(args.init) if args.init is not None else None
    teacher = load_prior(args.teacher) if args.teacher is not None else None
    prior = build_prior(cfg, lambda s, n, m: print(f"{s}/{n} {m}", flush=True), init, teacher)
    save_prior(prior, args.out)
    print(f"prior written to {args.out}: {prior.info}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
