"""The `audio2mouth` training job: prepared clips -> mouth space, normalisation, LSTM checkpoint.

Per clip the last `holdout` fraction of frames is held out. The mouth space (PCA) and the
feature statistics are fitted on training frames only and saved with the model. Training
samples random windows of the training part (with loudness and noise augmentation), and
every `epoch_steps` optimizer steps it reports train/held-out loss, held-out mouth-opening
correlation and LMD, then writes `checkpoints/last.pt` atomically. `--resume` continues at
the saved step with the saved space, statistics, weights and optimizer.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
import torch

from core.audio.alignment import clip_pairs
from core.audio.normalization import NormStats
from core.device import resolve_device, seed_everything
from core.io import atomic
from core.jobs.context import JobContext
from core.jobs.errors import BadInput
from core.jobs.job import Job
from core.metrics.correlation import pearson
from core.mouth.config import Audio2MouthConfig
from core.mouth.data import ClipFeatures, clip_features, load_clips, silence_warnings, train_feature_frames
from core.mouth.metrics import mouth_scores, opening_plot
from core.mouth.model import Audio2Mouth, predict_offline
from core.mouth.space import MouthSpace
from core.train.checkpoint import load_checkpoint, save_checkpoint
from core.train.metric_sink import report_metric
from core.train.spec import TrainRequest

log = logging.getLogger(__name__)

CHECKPOINT = "last.pt"


@dataclass
class ClipTensors:
    name: str
    pairs: torch.Tensor  # [N + L, 2*bins] normalised
    targets: torch.Tensor  # [N, K]
    valid: torch.Tensor  # [N] bool
    split: int
    features: ClipFeatures


def _loss(pred: torch.Tensor, target: torch.Tensor, mask: torch.Tensor, var_sum: float) -> torch.Tensor:
    """Squared landmark error in the mouth space (orthonormal basis), relative to its total variance."""
    err = ((pred - target) ** 2).sum(-1) / var_sum
    m = mask.float()
    return (err * m).sum() / m.sum().clamp_min(1.0)


class Audio2MouthJob(Job):
    name = "train audio2mouth"

    def __init__(self, config: Audio2MouthConfig, request: TrainRequest) -> None:
        self.cfg = config
        self.req = request
        self._fps = 25.0  # the clips' frame rate, set when they are loaded

    # -- setup -----------------------------------------------------------------------------
    def _data(self, ctx: JobContext) -> list[ClipFeatures]:
        if not self.req.clips:
            raise BadInput("audio2mouth needs at least one prepared clip (--clip NAME).")
        clips = load_clips(self.req.clips)
        fps = {round(c.fps, 3) for c in clips}
        if len(fps) > 1:
            raise BadInput(f"clips have different frame rates {sorted(fps)}; prepare them at one fps.")
        self._fps = float(clips[0].fps)
        for msg in silence_warnings(clips, self.cfg.features):
            ctx.log(msg, "warning")
            log.warning(msg)
        return clip_features(clips, self.cfg.features, self.cfg.train.holdout, min_train=self.cfg.space.k + 2)

    def _fit(self, data: list[ClipFeatures]) -> tuple[MouthSpace, NormStats]:
        train_lm = np.concatenate([d.clip.landmarks[: d.split][d.clip.valid[: d.split]] for d in data])
        space = MouthSpace.fit(train_lm, self.cfg.space.k)
        norm = NormStats.fit([train_feature_frames(d, self.cfg.features) for d in data])
        return space, norm

    def _tensors(self, data: list[ClipFeatures], space: MouthSpace, norm: NormStats, lookahead: int,
                 device: torch.device) -> list[ClipTensors]:
        out = []
        for d in data:
            c = d.clip
            pairs = norm.apply(clip_pairs(d.features, c.n_frames, c.fps, self.cfg.features, lookahead))
            out.append(ClipTensors(c.name, torch.from_numpy(pairs).to(device),
                                   torch.from_numpy(space.encode(c.landmarks)).to(device),
                                   torch.from_numpy(c.valid.copy()).to(device), d.split, d))
        return out

    # -- loop --------------------------------------------------------------------------------
    def run(self, ctx: JobContext):
        device = resolve_device(self.req.device)
        threads = torch.get_num_threads()
        if device.type == "cpu" and self.cfg.train.cpu_threads > 0:
            torch.set_num_threads(self.cfg.train.cpu_threads)
        try:
            return self._train(ctx, device)
        finally:
            torch.set_num_threads(threads)

    def _train(self, ctx: JobContext, device: torch.device):
        cfg, req, run = self.cfg, self.req, self.req.run
        seed_everything(cfg.train.seed)
        data = self._data(ctx)
        ckpt_path = run.checkpoints / CHECKPOINT
        ckpt = load_checkpoint(ckpt_path) if req.resume and ckpt_path.is_file() else None
        if req.resume and ckpt is None:
            ctx.log(f"--resume: no checkpoint in {run.checkpoints}; starting from step 0", "warning")
        if ckpt is not None:
            space, norm = MouthSpace.from_dict(ckpt["space"]), NormStats.from_dict(ckpt["norm"])
        else:
            space, norm = self._fit(data)
            self._save_space(space, norm)
        ev = space.explained_variance_ratio
        parts = ", ".join(f"{v:.3f}" for v in ev)
        ctx.log(f"mouth space: K={space.k}, explained variance {ev.sum():.3f} ({parts})")
        net_cfg = cfg.model.net(cfg.features.num_bins, space.k)
        net = Audio2Mouth(net_cfg, torch.from_numpy(np.sqrt(space.variance))).to(device)
        opt = torch.optim.AdamW(net.parameters(), lr=cfg.train.lr, weight_decay=cfg.train.weight_decay)
        step = 0
        if ckpt is not None:
            net.load_state_dict(ckpt["model"])
            opt.load_state_dict(ckpt["optimizer"])
            step = int(ckpt["step"])
            torch.set_rng_state(ckpt["torch_rng"])  # dropout continues as if never interrupted
            ctx.log(f"resumed at step {step}")
        clips = self._tensors(data, space, norm, net_cfg.lookahead, device)
        total = cfg.train.steps if req.max_steps is None else min(cfg.train.steps, req.max_steps)
        var_sum = float(space.variance.sum())
        run.set_status("running", step=step, total=total)
        window = min(cfg.train.window, *(c.split for c in clips))
        epoch_losses: list[float] = []
        scores: dict = ckpt.get("scores", {}) if ckpt is not None else {}
        while step < total:
            ctx.checkpoint()
            net.train()
            x, y, m = self._batch(clips, norm, window, net_cfg.lookahead, step, device)
            pred, _ = net(x)
            loss = _loss(pred[:, net_cfg.lookahead:], y, m, var_sum)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), cfg.train.grad_clip)
            opt.step()
            step += 1
            epoch_losses.append(float(loss.detach()))
            ctx.progress(step, total, f"audio2mouth loss {epoch_losses[-1]:.4f}")
            if step % cfg.train.epoch_steps == 0 or step == total:
                scores = self._evaluate(ctx, net, clips, space, var_sum, step, float(np.mean(epoch_losses)))
                epoch_losses = []
                self._save(net, opt, space, norm, step, scores)
        if not scores or scores.get("step") != step:  # resumed at or past the end
            scores = self._evaluate(ctx, net, clips, space, var_sum, step, float("nan"))
            self._save(net, opt, space, norm, step, scores)
        self._summary(space, scores, step, [c.name for c in clips])
        ctx.artifact(ckpt_path, "checkpoint")
        return run.path

    def _batch(self, clips: list[ClipTensors], norm: NormStats, window: int, lookahead: int, step: int,
               device: torch.device) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Random training windows; the generator is seeded by the step so a resumed run draws the same."""
        tc = self.cfg.train
        rng = np.random.default_rng([tc.seed, step])
        weights = np.array([c.split - window + 1 for c in clips], np.float64)
        which = rng.choice(len(clips), size=tc.batch, p=weights / weights.sum())
        xs, ys, ms = [], [], []
        for ci in which:
            c = clips[ci]
            s = int(rng.integers(0, c.split - window + 1))
            xs.append(c.pairs[s: s + window + lookahead])
            ys.append(c.targets[s: s + window])
            ms.append(c.valid[s: s + window])
        x = torch.stack(xs)
        if tc.gain_db > 0:  # loudness change = a constant offset on every log-mel bin
            gain = rng.uniform(-tc.gain_db, tc.gain_db, size=(tc.batch, 1, 1)) * math.log(10) / 10
            inv_std = np.tile(1.0 / norm.std, 2)[None, None, :]
            x = x + torch.from_numpy((gain * inv_std).astype(np.float32)).to(device)
        if tc.feature_noise > 0:
            noise = rng.standard_normal(x.shape).astype(np.float32) * tc.feature_noise
            x = x + torch.from_numpy(noise).to(device)
        return x, torch.stack(ys), torch.stack(ms)

    @torch.no_grad()
    def _evaluate(self, ctx: JobContext, net: Audio2Mouth, clips: list[ClipTensors], space: MouthSpace,
                  var_sum: float, step: int, train_loss: float) -> dict:
        """Held-out frames of every clip, predicted from a fresh LSTM state at the split point."""
        net.eval()
        run = self.req.run
        losses, per_clip = [], {}
        opening_p, opening_t, lmds, weights = [], [], [], []
        for c in clips:
            pred = predict_offline(net, c.pairs[c.split:])
            mask = c.valid[c.split:]
            losses.append(float(_loss(pred, c.targets[c.split:], mask, var_sum)) * float(mask.sum()))
            keep = mask.cpu().numpy()
            lm = c.features.clip.landmarks[c.split:][keep]
            s = mouth_scores(space, pred.cpu().numpy()[keep], lm, c.features.clip.crop_scale[c.split:][keep])
            per_clip[c.name] = {"mouth_r": s["mouth_r"], "lmd_px": s["lmd_px"], "frames": int(keep.sum())}
            opening_p.append(s["opening_pred"])
            opening_t.append(s["opening_true"])
            lmds.append(s["lmd_px"])
            weights.append(int(keep.sum()))
        n_eval = max(sum(weights), 1)
        scores = {
            "step": step,
            "train_loss": train_loss,
            "heldout_loss": sum(losses) / n_eval,
            "heldout_mouth_r": pearson(np.concatenate(opening_p), np.concatenate(opening_t)),
            "heldout_lmd_px": float(np.average(lmds, weights=weights)) if sum(weights) else float("nan"),
            "per_clip": per_clip,
        }
        for key in ("train_loss", "heldout_loss", "heldout_mouth_r", "heldout_lmd_px"):
            if math.isfinite(scores[key]):
                report_metric(ctx, run, f"audio2mouth/{key}", step, scores[key])
        ctx.log(f"step {step}: train {train_loss:.4f} held-out {scores['heldout_loss']:.4f} "
                f"r {scores['heldout_mouth_r']:.3f} LMD {scores['heldout_lmd_px']:.2f}px")
        img = opening_plot(opening_p[0], opening_t[0])
        ctx.preview("mouth opening (held-out)", img)
        run.save_preview("heldout_opening", img, step)
        return scores

    # -- outputs -----------------------------------------------------------------------------
    def _save_space(self, space: MouthSpace, norm: NormStats) -> None:
        out = self.req.run.path
        sd = {k: (v.numpy() if isinstance(v, torch.Tensor) else np.asarray(v))
              for k, v in space.to_dict().items()}
        with atomic.atomic_open(out / "mouth_space.npz") as fh:
            np.savez(fh, **sd, explained_variance_ratio=space.explained_variance_ratio)
        with atomic.atomic_open(out / "norm_stats.npz") as fh:
            np.savez(fh, mean=norm.mean, std=norm.std, frames=norm.frames)

    def _save(self, net: Audio2Mouth, opt: torch.optim.Optimizer, space: MouthSpace, norm: NormStats,
              step: int, scores: dict) -> None:
        save_checkpoint(self.req.run.checkpoints / CHECKPOINT, {
            "kind": "audio2mouth",
            "step": step,
            "model": net.state_dict(),
            "optimizer": opt.state_dict(),
            "net": net.cfg.model_dump(),
            "features": self.cfg.features.model_dump(),
            "config": self.cfg.model_dump(mode="json"),
            "fps": self._fps,
            "space": space.to_dict(),
            "norm": norm.to_dict(),
            "scores": _plain(scores),
            "torch_rng": torch.get_rng_state(),
        })
        self.req.run.set_status("running", step=step)

    def _summary(self, space: MouthSpace, scores: dict, step: int, names: list[str]) -> None:
        atomic.write_json(self.req.run.path / "summary.json", _plain({
            "kind": "audio2mouth", "step": step, "clips": names, "k": space.k,
            "explained_variance_ratio": [float(v) for v in space.explained_variance_ratio],
            "explained_variance_total": float(space.explained_variance_ratio.sum()),
            **{k: v for k, v in scores.items() if k != "step"},
        }))


def _plain(d):
    """Scores as JSON/weights_only-safe builtins (NaN stays a float)."""
    if isinstance(d, dict):
        return {str(k): _plain(v) for k, v in d.items()}
    if isinstance(d, list | tuple):
        return [_plain(v) for v in d]
    if isinstance(d, np.generic):
        return d.item()
    return d


def make_job(config: Audio2MouthConfig, request: TrainRequest) -> Audio2MouthJob:
    return Audio2MouthJob(config, request)


