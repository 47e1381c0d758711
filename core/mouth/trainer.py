"""The `audio2mouth` training job: prepared clips -> mouth space, normalisation, LSTM checkpoint.

Per clip the last `holdout` fraction of frames is held out. The mouth space (PCA) and the
feature statistics are fitted on training frames only and saved with the model. Training
samples random windows of the training part (with loudness and noise augmentation), and
every `epoch_steps` optimizer steps it reports train/held-out loss, held-out mouth-opening
correlation and LMD, then writes `checkpoints/last.pt` atomically. The shared training loop
(`core.train.loop`) owns cancel/pause (a cancel saves a checkpoint), resume, seeding and the
NaN guard; `--resume` continues at the saved step with the saved space, statistics, weights,
optimizer and random state.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
import torch

from core.audio.alignment import clip_pairs
from core.audio.fbank import FbankConfig
from core.audio.normalization import NormStats, audible
from core.io import atomic
from core.jobs.context import JobContext
from core.jobs.errors import BadInput
from core.jobs.job import Job
from core.jobs.message import Text
from core.metrics.correlation import pearson
from core.mouth.config import Audio2MouthConfig
from core.mouth.data import ClipFeatures, clip_features, drop_silent, load_clips, train_feature_frames
from core.mouth.metrics import mouth_scores, opening_plot
from core.mouth.model import Audio2Mouth, NetConfig, predict_offline
from core.mouth.space import MouthSpace
from core.train.checkpoint import checkpoint_entry
from core.train.loop import CHECKPOINT, LoopContext, LoopSettings, StepOutput, TrainHooks, run_training
from core.train.metric_sink import report_metric
from core.train.spec import TrainRequest

log = logging.getLogger(__name__)

KIND = "audio2mouth"


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

    def run(self, ctx: JobContext):
        self.cfg = run_features(self.cfg, self.req)
        epoch = self.cfg.train.epoch_steps  # the loop logs, evaluates and checkpoints once an epoch
        settings = LoopSettings.of_config(
            KIND,
            self.cfg,
            "lower train.lr or train.weight_decay, or check the clips' audio",
            **dict.fromkeys(("log_every", "checkpoint_every", "eval_every"), epoch),
        )
        return run_training(_MouthHooks(self.cfg, self.req), ctx, self.req, settings)


def run_features(cfg: Audio2MouthConfig, request: TrainRequest) -> Audio2MouthConfig:
    """The config with the [features] the run trains on: a resumed run's own (its network reads
    them), else the prior's when it starts from the prior (as [model] is the prior's: a job file
    written for another prior, or before the prior changed its features, still trains), else the
    file's. Resolved before the loop, so the checkpoints' config says what ran."""
    if request.resume:
        saved = checkpoint_entry(request.run.checkpoints / CHECKPOINT, "features")
        if isinstance(saved, dict):
            return cfg.derive(features=FbankConfig.model_validate(saved))
    if not cfg.prior.use:
        return cfg
    from core.mouth.prior.model import load_prior

    return cfg.derive(features=load_prior(cfg.prior.path).fbank)


class _MouthHooks(TrainHooks):
    """The audio-to-mouth kind in the training loop: one AdamW step on random windows per step."""

    def __init__(self, config: Audio2MouthConfig, request: TrainRequest) -> None:
        self.cfg = config
        self.req = request
        self._fps = 25.0  # the clips' frame rate, set when they are loaded
        self.epoch_losses: list[float] = []
        self.scores: dict = {}

    def setup(self, lc: LoopContext) -> int:
        self.data = self._data(lc.job)
        t = self.cfg.train
        return t.steps if lc.request.max_steps is None else min(t.steps, lc.request.max_steps)

    def init(self, lc: LoopContext, checkpoint: dict | None) -> None:
        cfg, device = self.cfg, lc.device
        if checkpoint is not None:
            space = MouthSpace.from_dict(checkpoint["space"])
            norm = NormStats.from_dict(checkpoint["norm"])
        else:
            space, norm = self._fit(self.data)
            self._save_space(space, norm)
        ev = space.explained_variance_ratio
        parts = ", ".join(f"{v:.3f}" for v in ev)
        lc.job.log(f"mouth space: K={space.k}, explained variance {ev.sum():.3f} ({parts})")
        if checkpoint is not None:
            self.net_cfg = NetConfig.model_validate(checkpoint["net"])
            self.net = Audio2Mouth(self.net_cfg).to(device)
            self.net.load_state_dict(checkpoint["model"])
        elif cfg.prior.use:
            self.net = self._from_prior(lc.job, space, norm).to(device)
            self.net_cfg = self.net.cfg
        else:
            self.net_cfg = cfg.model.net(cfg.features.num_bins, space.k)
            self.net = Audio2Mouth(self.net_cfg, torch.from_numpy(np.sqrt(space.variance))).to(device)
        if cfg.prior.use and cfg.prior.finetune == "head":  # the prior's speech layers stay as built
            for module in (self.net.pre, self.net.lstm):
                module.requires_grad_(False)
        params = [p for p in self.net.parameters() if p.requires_grad]
        self.opt = torch.optim.AdamW(params, lr=cfg.train.lr, weight_decay=cfg.train.weight_decay)
        if checkpoint is not None:
            self.opt.load_state_dict(checkpoint["optimizer"])
            torch.set_rng_state(checkpoint["torch_rng"])  # dropout continues as if never interrupted
            self.scores = dict(checkpoint.get("scores", {}))
        self.space, self.norm = space, norm
        self.clips = self._tensors(self.data, space, norm, self.net_cfg.lookahead, device)
        self.var_sum = float(space.variance.sum())
        if checkpoint is None and cfg.prior.use:
            s = self._evaluate(lc.job, self.net, self.clips, space, self.var_sum, 0, math.nan, report=False)
            lc.job.log(
                f"audio-to-mouth prior mapped onto the clips, before any training: held-out mouth-opening "
                f"r = {s['heldout_mouth_r']:.3f}, LMD {s['heldout_lmd_px']:.2f} px"
            )
        self.window = min(cfg.train.window, *(c.split for c in self.clips))

    def train_step(self, lc: LoopContext) -> StepOutput:
        net, lookahead = self.net, self.net_cfg.lookahead
        net.train()
        x, y, m = self._batch(self.clips, self.norm, self.window, lookahead, lc.step, lc.device)
        pred, _ = net(x)
        loss = _loss(pred[:, lookahead:], y, m, self.var_sum)
        lc.check_losses({"mouth": loss})
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), self.cfg.train.grad_clip)
        lc.check_grads(net.parameters())
        self.opt.step()
        self.epoch_losses.append(float(loss.detach()))
        return StepOutput(message=f"audio2mouth loss {self.epoch_losses[-1]:.4f}")

    def evaluate(self, lc: LoopContext) -> None:
        train_loss = float(np.mean(self.epoch_losses)) if self.epoch_losses else float("nan")
        self.scores = self._evaluate(
            lc.job, self.net, self.clips, self.space, self.var_sum, lc.step, train_loss
        )
        self.epoch_losses = []

    def state_dict(self, lc: LoopContext) -> dict:
        return {
            "model": self.net.state_dict(),
            "optimizer": self.opt.state_dict(),
            "net": self.net.cfg.model_dump(),
            "features": self.cfg.features.model_dump(),
            "fps": self._fps,
            "space": self.space.to_dict(),
            "norm": self.norm.to_dict(),
            "scores": _plain(self.scores),
            "torch_rng": torch.get_rng_state(),
        }

    def weights(self) -> list[torch.Tensor]:
        return list(self.net.state_dict().values())

    def finish(self, lc: LoopContext):
        if self.scores.get("step") != lc.step:  # resumed at or past the end: score what was saved
            self.evaluate(lc)
            lc.save_checkpoint()
        self._summary(self.space, self.scores, lc.step, [c.name for c in self.clips])
        return lc.run.path

    def _from_prior(self, ctx: JobContext, space: MouthSpace, norm: NormStats) -> Audio2Mouth:
        """The prior with its channels mapped onto `space` by a ridge fit on the training frames."""
        from core.mouth.prior.adapt import adapt, calibrate, fold
        from core.mouth.prior.model import load_prior

        prior = load_prior(self.cfg.prior.path)  # its features are the job's (`run_features`)
        arts, coeffs, landmarks = [], [], []
        for d in self.data:
            c = d.clip
            lookahead = prior.net.cfg.lookahead
            pairs = norm.apply(clip_pairs(d.features, c.n_frames, c.fps, self.cfg.features, lookahead))
            with torch.no_grad():
                art = predict_offline(prior.net, torch.from_numpy(pairs)).numpy()
            keep = np.flatnonzero(c.valid[: d.split])
            arts.append(art[keep])
            landmarks.append(c.landmarks[keep])
            coeffs.append(space.encode(c.landmarks[keep]))
        lm = np.concatenate(landmarks)
        art = np.concatenate(arts)
        mapping = adapt(art, np.concatenate(coeffs), calibrate(space, lm, art))
        ctx.log(f"audio-to-mouth prior mapped onto the clip's mouth space ({len(lm)} frames)")
        return fold(prior.net, mapping)

    # -- setup -----------------------------------------------------------------------------
    def _data(self, ctx: JobContext) -> list[ClipFeatures]:
        if not self.req.clips:
            raise BadInput(Text("audio2mouth needs at least one prepared clip (--clip NAME)."))
        clips, left_out = drop_silent(
            load_clips(self.req.clips, self.cfg.train.sound_timing), self.cfg.features
        )
        for msg in left_out:
            ctx.log(msg, "warning")
            log.info(msg)  # for log.txt; the console and the GUI show the event above
        fps = {round(c.fps, 3) for c in clips}
        if len(fps) > 1:
            raise BadInput(
                Text("clips have different frame rates {rates}; prepare them at one fps.", rates=sorted(fps))
            )
        self._fps = float(clips[0].fps)
        return clip_features(clips, self.cfg.features, self.cfg.train.holdout, min_train=self.cfg.space.k + 2)

    def _fit(self, data: list[ClipFeatures]) -> tuple[MouthSpace, NormStats]:
        train_lm = np.concatenate([d.clip.landmarks[: d.split][d.clip.valid[: d.split]] for d in data])
        space = MouthSpace.fit(train_lm, self.cfg.space.k)
        fbank = self.cfg.features
        norm = NormStats.fit([audible(train_feature_frames(d, fbank), d.clip.audio, fbank) for d in data])
        return space, norm

    def _tensors(
        self,
        data: list[ClipFeatures],
        space: MouthSpace,
        norm: NormStats,
        lookahead: int,
        device: torch.device,
    ) -> list[ClipTensors]:
        out = []
        for d in data:
            c = d.clip
            pairs = norm.apply(clip_pairs(d.features, c.n_frames, c.fps, self.cfg.features, lookahead))
            out.append(
                ClipTensors(
                    c.name,
                    torch.from_numpy(pairs).to(device),
                    torch.from_numpy(space.encode(c.landmarks)).to(device),
                    torch.from_numpy(c.valid.copy()).to(device),
                    d.split,
                    d,
                )
            )
        return out

    def _batch(
        self,
        clips: list[ClipTensors],
        norm: NormStats,
        window: int,
        lookahead: int,
        step: int,
        device: torch.device,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Random training windows; the generator is seeded by the step so a resumed run draws the same."""
        tc = self.cfg.train
        rng = np.random.default_rng([tc.seed, step])
        weights = np.array([c.split - window + 1 for c in clips], np.float64)
        which = rng.choice(len(clips), size=tc.batch, p=weights / weights.sum())
        xs, ys, ms = [], [], []
        for ci in which:
            c = clips[ci]
            s = int(rng.integers(0, c.split - window + 1))
            xs.append(c.pairs[s : s + window + lookahead])
            ys.append(c.targets[s : s + window])
            ms.append(c.valid[s : s + window])
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
    def _evaluate(
        self,
        ctx: JobContext,
        net: Audio2Mouth,
        clips: list[ClipTensors],
        space: MouthSpace,
        var_sum: float,
        step: int,
        train_loss: float,
        report: bool = True,
    ) -> dict:
        """Held-out frames of every clip, predicted from a fresh LSTM state at the split point;
        `report` sends the figures as metrics and a preview (else they are only returned)."""
        net.eval()
        run = self.req.run
        losses, per_clip = [], {}
        opening_p, opening_t, lmds, weights = [], [], [], []
        for c in clips:
            pred = predict_offline(net, c.pairs[c.split :])
            mask = c.valid[c.split :]
            losses.append(float(_loss(pred, c.targets[c.split :], mask, var_sum)) * float(mask.sum()))
            keep = mask.cpu().numpy()
            if not keep.any():  # the held-out part shows no face (the speaker walked out): nothing to score
                per_clip[c.name] = {"mouth_r": float("nan"), "lmd_px": float("nan"), "frames": 0}
                continue
            lm = c.features.clip.landmarks[c.split :][keep]
            s = mouth_scores(space, pred.cpu().numpy()[keep], lm, c.features.clip.crop_scale[c.split :][keep])
            per_clip[c.name] = {"mouth_r": s["mouth_r"], "lmd_px": s["lmd_px"], "frames": int(keep.sum())}
            opening_p.append(s["opening_pred"])
            opening_t.append(s["opening_true"])
            lmds.append(s["lmd_px"])
            weights.append(int(keep.sum()))
        n_eval = sum(weights)
        scores = {
            "step": step,
            "train_loss": train_loss,
            "heldout_loss": sum(losses) / n_eval if n_eval else float("nan"),
            "heldout_mouth_r": pearson(np.concatenate(opening_p), np.concatenate(opening_t))
            if opening_p
            else float("nan"),
            "heldout_lmd_px": float(np.average(lmds, weights=weights)) if sum(weights) else float("nan"),
            "per_clip": per_clip,
        }
        if not report:
            return scores
        for key in ("train_loss", "heldout_loss", "heldout_mouth_r", "heldout_lmd_px"):
            if math.isfinite(scores[key]):
                report_metric(ctx, run, f"audio2mouth/{key}", step, scores[key])
        ctx.log(
            f"step {step}: train {train_loss:.4f} held-out {scores['heldout_loss']:.4f} "
            f"r {scores['heldout_mouth_r']:.3f} LMD {scores['heldout_lmd_px']:.2f}px"
        )
        if opening_p:
            img = opening_plot(opening_p[0], opening_t[0])
            ctx.preview("mouth opening (held-out)", img)
            run.save_preview("heldout_opening", img, step)
        return scores

    # -- outputs -----------------------------------------------------------------------------
    def _save_space(self, space: MouthSpace, norm: NormStats) -> None:
        out = self.req.run.path
        sd = {
            k: (v.numpy() if isinstance(v, torch.Tensor) else np.asarray(v))
            for k, v in space.to_dict().items()
        }
        with atomic.atomic_open(out / "mouth_space.npz") as fh:
            np.savez(fh, **sd, explained_variance_ratio=space.explained_variance_ratio)
        with atomic.atomic_open(out / "norm_stats.npz") as fh:
            np.savez(fh, mean=norm.mean, std=norm.std, frames=norm.frames)

    def _summary(self, space: MouthSpace, scores: dict, step: int, names: list[str]) -> None:
        atomic.write_json(
            self.req.run.path / "summary.json",
            _plain(
                {
                    "kind": "audio2mouth",
                    "step": step,
                    "clips": names,
                    "from_prior": self.cfg.prior.use,
                    "k": space.k,
                    "explained_variance_ratio": [float(v) for v in space.explained_variance_ratio],
                    "explained_variance_total": float(space.explained_variance_ratio.sum()),
                    **{k: v for k, v in scores.items() if k != "step"},
                }
            ),
        )


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
