"""The `dinet` training job: prepared clips -> a lip-sync renderer checkpoint.

Per global step: draw the step's batch (deterministic in seed/step/rank), update the
discriminator on detached renders, then the generator (pixel, mouth, perceptual, GAN,
temporal terms), with gradient accumulation and AMP on CUDA. Every loss and gradient is
checked before an optimizer step (a NaN stops the run; the last good checkpoint stays).
Events: progress each step, metrics every `log_every`, a sample grid (and attention
overlays) every `preview_every`; checkpoints every `checkpoint_every`, at stage ends, on
cancel and at the end. Under torchrun every rank trains, rank 0 writes.
"""

from __future__ import annotations

import contextlib
import logging
import time
from pathlib import Path

import torch

from core.device import resolve_device, seed_everything
from core.face.prepared import PreparedClip
from core.jobs.context import JobContext
from core.jobs.errors import BadInput, JobCancelled
from core.jobs.job import Job
from core.lipsync import train_state as ts
from core.lipsync.dataset import Batch, LipSyncDataset, fixed_references
from core.lipsync.previews import attention_overlay, sample_grid
from core.lipsync.train_config import DinetTrainConfig
from core.lipsync.train_losses import Objectives
from core.metrics.psnr import batch_psnr
from core.train import ddp
from core.train.amp import Amp, AmpSettings
from core.train.metric_sink import report_metric
from core.train.nan_guard import NonFiniteLoss, check_losses, failure_message, non_finite_grads
from core.train.spec import TrainRequest
from core.train.stages import PlannedStage, plan_stages, stage_at, total_steps

log = logging.getLogger(__name__)


def load_training_clips(paths: tuple[Path, ...]) -> list[PreparedClip]:
    clips = [PreparedClip.load(p) for p in paths]
    silent = [c.name for c in clips if not c.has_audio]
    if silent:
        raise BadInput(
            f"clip(s) {', '.join(silent)} have no audio track; lip-sync training needs speech "
            "(its held-out check and rendering are driven by audio). Prepare videos with sound."
        )
    return clips


def build_objectives(cfg: DinetTrainConfig, device: torch.device) -> Objectives:
    perceptual = None
    if cfg.loss.needs_vgg:
        from core.losses.perceptual import PerceptualLoss
        from core.losses.vgg19 import load_vgg19

        perceptual = PerceptualLoss(
            load_vgg19(cfg.loss.vgg19_path or None, device=device), cfg.loss.perception_scales
        ).to(device)
    return Objectives(cfg.loss, perceptual)


class DinetTrainJob(Job):
    name = "train dinet"

    def __init__(self, config: DinetTrainConfig, request: TrainRequest) -> None:
        self.cfg = config
        self.req = request
        self.last_good: Path | None = None
        self.state: ts.TrainState | None = None  # the trained models after `run` (tests, demo)

    # -- setup --------------------------------------------------------------------------------------
    def _new_state(
        self, stage: PlannedStage, device: torch.device, old: ts.TrainState | None, dist: ddp.DistInfo
    ) -> ts.TrainState:
        t = self.cfg.train
        gen = ts.build_generator(self.cfg, stage.mouth_size, device)
        disc = old.discriminator if old is not None else ts.build_discriminator(self.cfg, device)
        if old is not None:
            copied, total = ts.transfer_weights(gen, old.generator.state_dict())
            log.info(
                "stage %d: generator at mouth %d, %d/%d tensors carried over",
                stage.index,
                stage.mouth_size,
                copied,
                total,
            )
        amp_settings = AmpSettings(enabled=t.amp, dtype=t.amp_dtype)
        return ts.TrainState(
            gen,
            disc,
            ts.adam(gen.parameters(), stage.lr_g, t.betas),
            ts.adam(disc.parameters(), stage.lr_d, t.betas),
            Amp.create(amp_settings, device),
            Amp.create(amp_settings, device),
            stage.mouth_size,
            stage.index,
        )

    def run(self, ctx: JobContext) -> Path:
        device = resolve_device(self.req.device)
        dist, device = ddp.init_distributed(device)
        try:
            return self._run(ctx, device, dist)
        finally:
            ddp.shutdown(dist)

    def _run(self, ctx: JobContext, device: torch.device, dist: ddp.DistInfo) -> Path:
        cfg, req = self.cfg, self.req
        seed_everything(cfg.train.seed)
        objectives = build_objectives(cfg, device)  # fails fast when VGG19 weights are missing
        clips = load_training_clips(req.clips)
        frames = cfg.train.clip_frames if cfg.temporal else 1
        data = LipSyncDataset(clips, cfg.train.holdout, frames, cfg.augmentation, cfg.model.num_references)
        per_rank = max(1, len(data) // dist.world_size)
        plan = plan_stages(cfg.schedule(), per_rank, req.max_steps)
        total = total_steps(plan)
        refs = {s.clip.name: fixed_references(s).tolist() for s in data.splits}
        names = [c.name for c in clips]
        ckpt_path = req.run.checkpoints / ts.CHECKPOINT

        step, state = 0, None
        if req.resume and ckpt_path.is_file():
            ckpt = ts.load(ckpt_path, device)
            step = int(ckpt["step"])
            state = self._new_state(stage_at(plan, min(step, total - 1)), device, None, dist)
            state.load(ckpt)
            self.last_good = ckpt_path
            ctx.log(f"resumed at step {step} (stage {state.stage}, mouth {state.mouth_size})")
        step = ddp.broadcast_int(step, dist, device)
        if dist.is_main:
            req.run.set_status("running", kind="dinet", total_steps=total, world_size=dist.world_size)
        ctx.log(
            f"training {cfg.model.variant} on {len(data)} samples/epoch, {len(plan)} stage(s), "
            f"{total} steps, device {device}, {dist.world_size} process(es)"
        )

        wrapped: tuple[torch.nn.Module, torch.nn.Module] | None = None
        t_last, step_last = time.perf_counter(), step
        try:
            while step < total:
                ctx.checkpoint()
                stage = stage_at(plan, step)
                if state is None or state.stage != stage.index:
                    if state is not None and dist.is_main:
                        self._save(state, step, names, refs, ckpt_path)
                    state = self._new_state(stage, device, state, dist)
                    wrapped = None
                if wrapped is None:
                    wrapped = (
                        ddp.wrap(state.generator, dist, device),
                        ddp.wrap(state.discriminator, dist, device),
                    )
                ts.set_lr(state.opt_g, stage.lr_g)
                ts.set_lr(state.opt_d, stage.lr_d)
                logs = self._step(state, wrapped, data, stage, step, objectives, dist, device)
                step += 1
                ctx.progress(step, total, f"stage {stage.index + 1}/{len(plan)} mouth {stage.mouth_size}")
                if dist.is_main and (step % cfg.train.log_every == 0 or step == total):
                    now = time.perf_counter()
                    logs["perf/steps_per_s"] = (step - step_last) / max(now - t_last, 1e-9)
                    t_last, step_last = now, step
                    logs["lr/generator"] = stage.lr_g
                    for k, v in logs.items():
                        report_metric(ctx, req.run, k, step, v)
                if dist.is_main and (step % cfg.train.preview_every == 0 or step == total):
                    self._preview(ctx, state, data, stage, step, device)
                if dist.is_main and (
                    step % cfg.train.checkpoint_every == 0 or step == stage.end or step == total
                ):
                    self._save(state, step, names, refs, ckpt_path)
        except JobCancelled:
            if state is not None and dist.is_main and step > 0:
                self._save(state, step, names, refs, ckpt_path)
                ctx.log(f"cancelled at step {step}; checkpoint saved, continue with --resume")
            raise
        if state is None:  # resumed a finished run
            ckpt = ts.load(ckpt_path, device)
            state = self._new_state(stage_at(plan, total - 1), device, None, dist)
            state.load(ckpt)
        ddp.broadcast_buffers(state.generator, dist)
        ddp.broadcast_buffers(state.discriminator, dist)
        self.state = state
        if dist.is_main:
            self._held_out_metrics(ctx, state, data, step, device)
            ctx.artifact(ckpt_path, "checkpoint")
        ddp.barrier(dist)
        return req.run.path

    # -- one step -----------------------------------------------------------------------------------
    def _step(
        self,
        state: ts.TrainState,
        wrapped: tuple[torch.nn.Module, torch.nn.Module],
        data: LipSyncDataset,
        stage: PlannedStage,
        step: int,
        objectives: Objectives,
        dist: ddp.DistInfo,
        device: torch.device,
    ) -> dict[str, float]:
        t = self.cfg.train
        gen, disc = wrapped
        raw_disc = state.discriminator
        accum = t.grad_accumulation
        micro = max(1, stage.batch_size // accum)
        use_gan = self.cfg.loss.lamb_gan > 0 and step >= t.gan_start_step
        state.generator.train()
        raw_disc.train()
        sums: dict[str, float] = {}
        state.opt_g.zero_grad(set_to_none=True)
        state.opt_d.zero_grad(set_to_none=True)
        geometry = state.generator.geometry
        for k in range(accum):
            batch = data.sample(micro, stage.mouth_size, t.seed, step * accum + k, dist.rank).to(device)
            source, refs, target = _flatten(batch)
            last = k == accum - 1
            sync = contextlib.nullcontext() if (last or not dist.enabled) else _no_sync(gen, disc)
            with sync:
                with state.amp_g.autocast():
                    out = gen(source, refs)
                terms: dict[str, torch.Tensor] = {}
                if use_gan:
                    with state.amp_d.autocast():  # one forward for real and fake: one DDP reduction
                        scores = disc(torch.cat([target, out.detach().to(target.dtype)]))
                        n = target.shape[0]
                        terms["d"] = objectives.discriminator(
                            [s[:n] for s in scores], [s[n:] for s in scores]
                        )
                raw_disc.requires_grad_(False)
                with state.amp_g.autocast():
                    fake_scores = raw_disc(out) if use_gan else None
                    g_terms = objectives.generator(
                        out.float(), target, geometry, fake_scores, batch.target.shape[1]
                    )
                raw_disc.requires_grad_(True)
                terms.update(g_terms)
                bad = ddp.any_rank(
                    any(not torch.isfinite(v.detach()).all() for v in terms.values()), dist, device
                )
                if bad:
                    check_losses(terms, step, self.last_good)
                    raise NonFiniteLoss(failure_message("a loss on another rank", step, self.last_good))
                if use_gan:
                    state.amp_d.backward(terms["d"], accum)
                state.amp_g.backward(g_terms["total"], accum)
            for name, v in terms.items():
                sums[name] = sums.get(name, 0.0) + float(v.detach()) / accum
            if last:
                sums["psnr"] = float(batch_psnr(out.detach(), target))
        state.amp_g.unscale(state.opt_g)
        if use_gan:  # a scaler must not unscale an optimizer twice without a step
            state.amp_d.unscale(state.opt_d)
        params = [*state.generator.parameters(), *state.discriminator.parameters()]
        overflow = non_finite_grads(params)
        if ddp.any_rank(overflow, dist, device) and not (state.amp_g.scaler or state.amp_d.scaler):
            raise NonFiniteLoss(failure_message("a gradient", step, self.last_good))
        state.amp_g.step(state.opt_g)
        if use_gan:
            state.amp_d.step(state.opt_d)
        return {("loss/" + k if k != "psnr" else "train/psnr"): v for k, v in sums.items()}

    # -- reporting ------------------------------------------------------------------------------------
    def _save(
        self, state: ts.TrainState, step: int, names: list[str], refs: dict[str, list[int]], path: Path
    ) -> None:
        ts.save(path, state.checkpoint_dict(step, self.cfg, names, refs))
        self.last_good = path

    @torch.no_grad()
    def _preview(
        self,
        ctx: JobContext,
        state: ts.TrainState,
        data: LipSyncDataset,
        stage: PlannedStage,
        step: int,
        device: torch.device,
    ) -> None:
        gen = state.generator
        gen.eval()
        held = next(data.held_out_batches(stage.mouth_size, batch_size=4, limit=4), None)
        batch = held[1] if held is not None else data.sample(4, stage.mouth_size, self.cfg.train.seed, step)
        source, refs, target = _flatten(batch.to(device))
        out, maps = gen(source, refs, return_attention=True)
        grid = sample_grid(source, out, target)
        ctx.preview("samples", grid)
        self.req.run.save_preview("samples", grid, step)
        if maps:
            overlay = attention_overlay(out[0], {k: v[0] for k, v in maps.items()})
            ctx.preview("attention", overlay)
            self.req.run.save_preview("attention", overlay, step)
        gen.train()

    @torch.no_grad()
    def _held_out_metrics(
        self, ctx: JobContext, state: ts.TrainState, data: LipSyncDataset, step: int, device: torch.device
    ) -> None:
        gen = state.generator
        gen.eval()
        values, l1s = [], []
        geometry = gen.geometry
        for _, batch in data.held_out_batches(state.mouth_size, batch_size=8):
            source, refs, target = _flatten(batch.to(device))
            out = gen(source, refs)
            values.append(float(batch_psnr(geometry.cut_mouth(out), geometry.cut_mouth(target))))
            l1s.append(float((out - target).abs().mean()))
        if values:
            report_metric(ctx, self.req.run, "held_out/psnr_mouth", step, sum(values) / len(values))
            report_metric(ctx, self.req.run, "held_out/l1", step, sum(l1s) / len(l1s))


def _flatten(batch: Batch) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """[B, T, ...] -> source/target [B*T, ...]; references repeated per frame [B*T, R, 4, H, W]."""
    b, t = batch.source.shape[:2]
    refs = batch.references.unsqueeze(1).expand(b, t, *batch.references.shape[1:]).flatten(0, 1)
    return batch.source.flatten(0, 1), refs, batch.target.flatten(0, 1)


@contextlib.contextmanager
def _no_sync(*models: torch.nn.Module):
    with contextlib.ExitStack() as stack:
        for m in models:
            if hasattr(m, "no_sync"):
                stack.enter_context(m.no_sync())
        yield


def make_job(config: DinetTrainConfig, request: TrainRequest) -> DinetTrainJob:
    return DinetTrainJob(config, request)
