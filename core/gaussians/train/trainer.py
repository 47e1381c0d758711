"""The `gaussian` training job: a prepared clip -> a mesh-bound Gaussian avatar in a run folder.

Each step draws a random training frame (the last ``holdout`` of the clip is never trained on),
renders the avatar on that frame's tracked mesh with the selected backend (gsplat on CUDA, the
PyTorch rasterizer otherwise) and takes one optimizer step; the strategy densifies and prunes.
Events: progress every step; loss terms, Gaussian count and iter/s every ``log_every`` steps
(also into metrics.jsonl/TensorBoard); a preview (held-out frame: target | render) every
``preview_every`` steps; refinements as log lines. ``checkpoints/last.pt`` is written atomically
every ``checkpoint_every`` steps, at the end and on cancel; ``--resume`` continues bit-exactly.
At the end ``avatar.pt`` (what eval/export/render load) and ``eval.json`` (held-out metrics).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from core.device import resolve_device, seed_everything
from core.gaussians.render.select import select_renderer
from core.gaussians.train import bundle
from core.gaussians.train.config import GaussianConfig
from core.gaussians.train.data import AvatarData
from core.gaussians.train.evaluate import evaluate_avatar
from core.gaussians.train.innovations.registry import build_innovations
from core.gaussians.train.source import load_clip_data
from core.gaussians.train.state import TrainState, create_state, load_state, state_dict
from core.gaussians.train.step import StepSetup, preview_image, train_step
from core.gaussians.train.strategies.factory import build_strategy
from core.io import atomic
from core.jobs.context import JobContext
from core.jobs.errors import BadInput, JobCancelled
from core.jobs.job import Job
from core.train.amp import Amp, AmpSettings
from core.train.checkpoint import load_checkpoint, save_checkpoint
from core.train.metric_sink import report_metric
from core.train.run_folder import RunFolder
from core.train.spec import TrainRequest

log = logging.getLogger(__name__)

CHECKPOINT = "last.pt"
DataLoader = Callable[[Path, GaussianConfig], AvatarData]


class GaussianTrainJob(Job):
    name = "train gaussian avatar"

    def __init__(
        self,
        config: GaussianConfig,
        request: TrainRequest,
        data_loader: DataLoader | None = None,
        evaluate: bool = True,
    ) -> None:
        self.cfg = config
        self.req = request
        self.data_loader = data_loader or (lambda clip, cfg: load_clip_data(clip, cfg.data))
        self.evaluate = evaluate

    def run(self, ctx: JobContext) -> Path:
        cfg, req, run = self.cfg, self.req, self.req.run
        device = resolve_device(req.device)
        seed_everything(cfg.train.seed)
        if not req.clips:
            raise BadInput("a Gaussian avatar needs a prepared clip (--clip NAME).")
        if len(req.clips) > 1:
            ctx.log(f"a Gaussian avatar is trained from one clip; using {req.clips[0].name}", "warning")
        innovations = build_innovations(cfg, device)  # a missing VGG19 file fails here, before any work
        selection = select_renderer(cfg.train.renderer, device)
        ctx.log(f"renderer: {selection.renderer.name} ({selection.reason})")
        data = self.data_loader(req.clips[0], cfg)
        total = cfg.train.steps if req.max_steps is None else min(cfg.train.steps, req.max_steps)
        strategy = build_strategy(cfg, total)
        st = create_state(cfg, data, strategy, device, innovations)
        ckpt_path = run.checkpoints / CHECKPOINT
        if req.resume and ckpt_path.is_file():
            load_state(st, load_checkpoint(ckpt_path, map_location=device), cfg, data.extent, device)
            ctx.log(f"resumed at step {st.step} with {st.count} Gaussians")
        elif req.resume:
            ctx.log(f"--resume: no checkpoint in {run.checkpoints}; starting from step 0", "warning")
        ctx.log(
            f"{len(data.train_ids)} training / {len(data.test_ids)} held-out frames at "
            f"{data.resolution}px, {st.count} Gaussians, innovations: "
            f"{', '.join(cfg.enabled_innovations()) or 'none (baseline)'}"
        )
        amp = Amp.create(AmpSettings(enabled=cfg.train.amp), device)
        setup = StepSetup(cfg, data, selection.renderer, strategy, total, amp, device)
        run.set_status("running", step=st.step, total=total, renderer=selection.renderer.name)
        window_t, window_n = 0.0, 0
        try:
            while st.step < total:
                ctx.checkpoint()
                t0 = time.perf_counter()
                res = train_step(st, setup)
                dt = time.perf_counter() - t0
                st.train_seconds += dt
                window_t, window_n = window_t + dt, window_n + 1
                step = st.step
                ctx.progress(step, total, f"loss {res.losses['loss']:.4f}, {st.count} Gaussians")
                if res.report.changed:
                    ctx.emit(res.report.event())
                if step % cfg.train.log_every == 0 or step == total:
                    for name, value in res.losses.items():
                        report_metric(ctx, run, f"train/{name}", step, value)
                    report_metric(ctx, run, "train/gaussians", step, st.count)
                    report_metric(ctx, run, "train/iter_per_s", step, window_n / max(window_t, 1e-9))
                    report_metric(ctx, run, "train/resolution", step, res.size[0])
                    window_t, window_n = 0.0, 0
                if step % cfg.train.preview_every == 0 or step == total:
                    self._preview(ctx, run, st, setup, step)
                if step % cfg.train.checkpoint_every == 0:
                    save_checkpoint(ckpt_path, state_dict(st))
        except JobCancelled:
            save_checkpoint(ckpt_path, state_dict(st))
            run.set_status("cancelled", step=st.step, total=total)
            raise
        save_checkpoint(ckpt_path, state_dict(st))
        avatar = bundle.save_bundle(run.path / bundle.AVATAR_FILE, st, data, cfg)
        ctx.artifact(avatar, "gaussian-avatar")
        if self.evaluate:
            ctx.progress(total, total, "evaluating held-out frames")
            scores = evaluate_avatar(
                bundle.load_bundle(avatar, device), data, selection.renderer, device, cfg.data.background
            )
            atomic.write_json(run.path / "eval.json", scores)
            for k in ("psnr", "ssim", "render_fps"):
                report_metric(ctx, run, f"eval/{k}", total, scores[k])
            ctx.log(
                f"held-out PSNR {scores['psnr']:.2f} dB, SSIM {scores['ssim']:.4f}, LPIPS {scores['lpips']}, "
                f"{scores['gaussians']} Gaussians, {scores['render_fps']:.1f} render fps"
            )
        run.set_status(
            "running", step=st.step, total=total, gaussians=st.count, train_seconds=round(st.train_seconds, 3)
        )
        return run.path

    def _preview(self, ctx: JobContext, run: RunFolder, st: TrainState, setup: StepSetup, step: int) -> None:
        image = preview_image(st, setup)
        ctx.preview("gaussian/heldout", image)
        run.save_preview("heldout", image, step)


def make_job(config: GaussianConfig, request: TrainRequest) -> GaussianTrainJob:
    return GaussianTrainJob(config, request)
