"""The `dinet` training job: prepared clips -> a lip-sync renderer checkpoint.

Per global step: draw the step's batch (deterministic in seed/step/rank), update the
discriminator on detached renders (every `discriminator.update_every`-th step, on the region
it judges), then the generator (pixel, mouth, perceptual, temporal terms, and the GAN term
every `discriminator.gan_term_every`-th step), with gradient
accumulation and AMP on CUDA. Moving to a stage with another
mouth size rebuilds the generator (carrying over matching weights). The shared training loop
(`core.train.loop`) runs these hooks and owns the rest: every loss and gradient is checked
before an optimizer step (a NaN stops the run; the last good checkpoint stays); metrics every
`log_every`, a sample grid (and attention overlays) every `preview_every`; checkpoints every
`checkpoint_every`, at stage ends, on cancel and at the end. Under torchrun every rank trains,
rank 0 writes.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import NamedTuple

import torch

from core.face.prepared import PreparedClip
from core.jobs.context import JobContext
from core.jobs.errors import BadInput
from core.jobs.job import Job
from core.jobs.message import Text
from core.lipsync import train_state as ts
from core.lipsync.batch_prefetch import Prefetcher
from core.lipsync.dataset import Batch, LipSyncDataset, fixed_references
from core.lipsync.previews import SAMPLE_GRID_COLUMNS, attention_overlay, sample_grid
from core.lipsync.train_config import DinetTrainConfig
from core.lipsync.train_losses import Objectives
from core.metrics.psnr import batch_psnr
from core.train import ddp
from core.train.amp import Amp, AmpSettings
from core.train.ema import WeightAverage
from core.train.loop import LoopContext, LoopSettings, StepOutput, TrainHooks, run_training
from core.train.lr_schedule import lr_factor
from core.train.spec import TrainRequest
from core.train.stages import PlannedStage, plan_stages, stage_at, total_steps

NAN_HINT = (
    "lower the learning rates (train.lr_g, train.lr_d), turn AMP off (train.amp = false), or check the data"
)

log = logging.getLogger(__name__)


def load_training_clips(paths: tuple[Path, ...]) -> list[PreparedClip]:
    clips = [PreparedClip.load(p) for p in paths]
    silent = [c.name for c in clips if not c.has_audio]
    if silent:
        raise BadInput(
            Text(
                "clip(s) {silent} have no audio track; lip-sync training needs speech (its "
                "held-out check and rendering are driven by audio). Prepare videos with sound.",
                silent=", ".join(silent),
            )
        )
    return clips


def build_objectives(cfg: DinetTrainConfig, device: torch.device) -> Objectives:
    perceptual = None
    if cfg.loss.needs_vgg:
        from core.losses.perceptual import PerceptualLoss
        from core.losses.vgg19 import LIPSYNC_PATH_KEY, load_vgg19

        vgg = load_vgg19(cfg.loss.vgg19_path or None, device=device, path_key=LIPSYNC_PATH_KEY)
        perceptual = PerceptualLoss(vgg, cfg.loss.perception_scales).to(device)
    return Objectives(cfg.loss, perceptual)


class DinetTrainJob(Job):
    name = "train dinet"

    def __init__(self, config: DinetTrainConfig, request: TrainRequest) -> None:
        self.cfg = config
        self.req = request
        self.state: ts.TrainState | None = None  # the trained models after `run` (tests, demo)

    def run(self, ctx: JobContext) -> Path:
        settings = LoopSettings.of_config("dinet", self.cfg, NAN_HINT, distributed=True)
        return run_training(_DinetHooks(self), ctx, self.req, settings)


class _DinetHooks(TrainHooks):
    """The lip-sync kind in the training loop: stages, GAN, accumulation, AMP, DDP."""

    def __init__(self, job: DinetTrainJob) -> None:
        self.job = job
        self.cfg = job.cfg
        self.state: ts.TrainState | None = None
        self.wrapped: tuple[torch.nn.Module, torch.nn.Module] | None = None

    # -- setup --------------------------------------------------------------------------------------
    def setup(self, lc: LoopContext) -> int:
        cfg, dist = self.cfg, lc.dist
        self.objectives = build_objectives(cfg, lc.device)  # fails fast when VGG19 weights are missing
        clips = load_training_clips(lc.request.clips)
        frames = cfg.train.clip_frames if cfg.temporal else 1
        self.data = LipSyncDataset(
            clips, cfg.train.holdout, frames, cfg.augmentation, cfg.model.num_references
        )
        per_rank = max(1, len(self.data) // dist.world_size)
        self.plan = plan_stages(cfg.schedule(), per_rank, lc.request.max_steps)
        self.refs = {s.clip.name: fixed_references(s).tolist() for s in self.data.splits}
        self.batches = Prefetcher(self._draw, enabled=cfg.train.prefetch)
        self.names = [c.name for c in clips]
        total = total_steps(self.plan)
        lc.job.log(
            f"training {cfg.model.variant} on clip(s) {', '.join(self.names)} ({len(self.data)} "
            f"samples/epoch), {len(self.plan)} stage(s), {total} steps, device {lc.device}, "
            f"{dist.world_size} process(es)"
        )
        return total

    def init(self, lc: LoopContext, checkpoint: dict | None) -> None:
        if checkpoint is None:
            return  # the first step builds the first stage's models
        self.state = self._new_state(stage_at(self.plan, min(lc.step, lc.total - 1)), lc.device, None)
        self.state.load(checkpoint)
        lc.job.log(f"continuing in stage {self.state.stage} at mouth {self.state.mouth_size}")

    def _new_state(
        self, stage: PlannedStage, device: torch.device, old: ts.TrainState | None
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
        ema = WeightAverage.of(gen, t.ema_decay) if t.ema_decay > 0 else None  # restarts per stage
        return ts.TrainState(
            gen,
            disc,
            ts.adam(gen.parameters(), stage.lr_g, t.betas),
            ts.adam(disc.parameters(), stage.lr_d, t.betas),
            Amp.create(amp_settings, device),
            Amp.create(amp_settings, device),
            stage.mouth_size,
            stage.index,
            ema,
        )

    def state_dict(self, lc: LoopContext) -> dict:
        assert self.state is not None
        return self.state.checkpoint_dict(lc.step, self.cfg, self.names, self.refs)

    def weights(self) -> list[torch.Tensor]:
        if self.state is None:
            return []
        return [*self.state.generator.state_dict().values(), *self.state.discriminator.state_dict().values()]

    def train_step(self, lc: LoopContext) -> StepOutput:
        stage = stage_at(self.plan, lc.step)
        if self.state is None or self.state.stage != stage.index:
            self.state = self._new_state(stage, lc.device, self.state)
            self.wrapped = None
        state = self.state
        if self.wrapped is None:
            self.wrapped = (
                ddp.wrap(state.generator, lc.dist, lc.device),
                ddp.wrap(state.discriminator, lc.dist, lc.device),
            )
        t = self.cfg.train
        factor = lr_factor(t.lr_schedule, lc.step - stage.start, stage.steps, t.lr_final)
        ts.set_lr(state.opt_g, stage.lr_g * factor)
        ts.set_lr(state.opt_d, stage.lr_d * factor)
        logs = self._step(lc, state, self.wrapped, stage)
        logs["lr/generator"] = stage.lr_g * factor
        return StepOutput(
            logs,
            f"stage {stage.index + 1}/{len(self.plan)} mouth {stage.mouth_size}",
            stage_end=lc.step + 1 == stage.end,
        )

    def finish(self, lc: LoopContext) -> Path:
        state = self.state
        assert state is not None
        self.batches.close()
        ddp.broadcast_buffers(state.generator, lc.dist)
        ddp.broadcast_buffers(state.discriminator, lc.dist)
        self.job.state = state
        if lc.is_main:
            self._held_out_metrics(lc, state)
        ddp.barrier(lc.dist)
        return lc.run.path

    # -- one step -----------------------------------------------------------------------------------
    def _step(
        self,
        lc: LoopContext,
        state: ts.TrainState,
        wrapped: tuple[torch.nn.Module, torch.nn.Module],
        stage: PlannedStage,
    ) -> dict[str, float]:
        t = self.cfg.train
        objectives, dist, device, step = self.objectives, lc.dist, lc.device, lc.step
        gen, disc = wrapped
        raw_disc = state.discriminator
        accum = t.grad_accumulation
        micro = max(1, stage.batch_size // accum)
        use_gan = self.cfg.loss.lamb_gan > 0 and step >= t.gan_start_step
        update_d = use_gan and step % self.cfg.discriminator.update_every == 0
        judge_g = use_gan and step % self.cfg.discriminator.gan_term_every == 0
        state.generator.train()
        raw_disc.train()
        sums: dict[str, float] = {}
        state.opt_g.zero_grad(set_to_none=True)
        state.opt_d.zero_grad(set_to_none=True)
        geometry = state.generator.geometry
        for k in range(accum):
            index = step * accum + k
            key = _BatchKey(micro, stage.mouth_size, t.seed, index, dist.rank)
            ahead = index + 1 < stage.end * accum  # the next draw is in this stage
            drawn = self.batches.get(key, key._replace(index=index + 1) if ahead else None)
            source, refs, target = (x.to(device) for x in (drawn.source, drawn.refs, drawn.target))
            last = k == accum - 1
            sync = contextlib.nullcontext() if (last or not dist.enabled) else _no_sync(gen, disc)
            with sync:
                with state.amp_g.autocast():
                    out = gen(source, refs)
                terms: dict[str, torch.Tensor] = {}
                if update_d:
                    with state.amp_d.autocast():  # one forward for real and fake: one DDP reduction
                        pair = torch.cat([target, out.detach().to(target.dtype)])
                        scores = disc(raw_disc.judged(pair, geometry))
                        n = target.shape[0]
                        terms["d"] = objectives.discriminator(
                            [s[:n] for s in scores], [s[n:] for s in scores]
                        )
                raw_disc.requires_grad_(False)
                with state.amp_g.autocast():
                    fake_scores = raw_disc(raw_disc.judged(out, geometry)) if judge_g else None
                    g_terms = objectives.generator(out.float(), target, geometry, fake_scores, drawn.frames)
                raw_disc.requires_grad_(True)
                terms.update(g_terms)
                lc.check_losses(terms)  # before any backward or optimizer step
                if update_d:
                    state.amp_d.backward(terms["d"], accum)
                state.amp_g.backward(g_terms["total"], accum)
            for name, v in terms.items():
                sums[name] = sums.get(name, 0.0) + float(v.detach()) / accum
            if last:
                sums["psnr"] = float(batch_psnr(out.detach(), target))
        state.amp_g.unscale(state.opt_g)
        if update_d:  # a scaler must not unscale an optimizer twice without a step
            state.amp_d.unscale(state.opt_d)
        params = [*state.generator.parameters(), *state.discriminator.parameters()]
        if not (state.amp_g.scaler or state.amp_d.scaler):  # a GradScaler skips overflowing steps itself
            lc.check_grads(params)
        state.amp_g.step(state.opt_g)
        if state.ema is not None:
            state.ema.update(state.generator)
        if update_d:
            state.amp_d.step(state.opt_d)
        return {("loss/" + k if k != "psnr" else "train/psnr"): v for k, v in sums.items()}

    def _draw(self, key: _BatchKey) -> _Drawn:
        """The batch of `key`, flattened into the generator's memory format (runs on the
        prefetching thread)."""
        batch = self.data.sample(key.size, key.mouth_size, key.seed, key.index, key.rank)
        source, refs, target = _flatten(batch, ts.memory_format(self.cfg))
        return _Drawn(source, refs, target, batch.target.shape[1])

    # -- reporting ------------------------------------------------------------------------------------
    @torch.no_grad()
    def preview(self, lc: LoopContext) -> None:
        state = self.state
        assert state is not None
        stage = stage_at(self.plan, lc.step - 1)
        gen = state.generator
        gen.eval()
        held = next(self.data.held_out_batches(stage.mouth_size, batch_size=4, limit=4), None)
        if held is not None:
            batch = held[1]
        else:
            batch = self.data.sample(4, stage.mouth_size, self.cfg.train.seed, lc.step)
        source, refs, target = _flatten(batch.to(lc.device))
        out, maps = gen(source, refs, return_attention=True)
        lc.preview("samples", sample_grid(source, out, target), columns=SAMPLE_GRID_COLUMNS)
        if maps:
            lc.preview("attention", attention_overlay(out[0], {k: v[0] for k, v in maps.items()}))
        gen.train()

    @torch.no_grad()
    def _held_out_metrics(self, lc: LoopContext, state: ts.TrainState) -> None:
        gen = state.inference_generator()  # the weights the checkpoint renders with
        gen.eval()
        values, l1s = [], []
        geometry = gen.geometry
        for _, batch in self.data.held_out_batches(state.mouth_size, batch_size=8):
            source, refs, target = _flatten(batch.to(lc.device))
            out = gen(source, refs)
            values.append(float(batch_psnr(geometry.cut_mouth(out), geometry.cut_mouth(target))))
            l1s.append(float((out - target).abs().mean()))
        if values:
            lc.metric("held_out/psnr_mouth", sum(values) / len(values))
            lc.metric("held_out/l1", sum(l1s) / len(l1s))


class _BatchKey(NamedTuple):
    """What a training batch is a pure function of (`LipSyncDataset.sample`'s arguments)."""

    size: int
    mouth_size: int
    seed: int
    index: int
    rank: int


class _Drawn(NamedTuple):
    source: torch.Tensor  # [B*T, 4, H, W]
    refs: torch.Tensor  # [B*T, R, 4, H, W]
    target: torch.Tensor  # [B*T, 3, H, W]
    frames: int  # T


def _flatten(
    batch: Batch, memory_format: torch.memory_format = torch.contiguous_format
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """[B, T, ...] -> source/target [B*T, ...] (in `memory_format`); references repeated per frame
    [B*T, R, 4, H, W] (kept in the dataset's layout for channels-last, which makes the
    reference encoder's input [B*T, R*4, H, W] channels-last without a copy)."""
    b, t = batch.source.shape[:2]
    refs = batch.references.unsqueeze(1).expand(b, t, *batch.references.shape[1:]).flatten(0, 1)
    if memory_format != torch.channels_last:
        refs = refs.contiguous()
    source, target = (
        x.flatten(0, 1).contiguous(memory_format=memory_format) for x in (batch.source, batch.target)
    )
    return source, refs, target


@contextlib.contextmanager
def _no_sync(*models: torch.nn.Module):
    with contextlib.ExitStack() as stack:
        for m in models:
            if hasattr(m, "no_sync"):
                stack.enter_context(m.no_sync())
        yield


def make_job(config: DinetTrainConfig, request: TrainRequest) -> DinetTrainJob:
    return DinetTrainJob(config, request)
