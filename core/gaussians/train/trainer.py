"""The `gaussian` training job: a prepared clip -> a mesh-bound Gaussian avatar in a run folder.

Each step draws a random training frame (the last ``holdout`` of the clip is never trained on),
renders the avatar on that frame's tracked mesh with the selected backend (gsplat on CUDA, the
PyTorch rasterizer otherwise) and takes one optimizer step; the strategy densifies and prunes.
Events: progress every step; loss terms, Gaussian count and iter/s every ``log_every`` steps
(also into metrics.jsonl/TensorBoard); a preview (held-out frame: target | render) every
``preview_every`` steps; refinements as typed `RefineStep` events. The shared training loop
(``core.train.loop``) writes ``checkpoints/last.pt`` every ``checkpoint_every`` steps, at the end
and on cancel, stops a non-finite run, and resumes; ``--resume`` continues bit-exactly.
At the end ``avatar.pt`` (what eval/export/render load) and ``eval.json`` (held-out metrics).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

import torch

from core.gaussians.render.select import select_renderer
from core.gaussians.train import bundle, heldout
from core.gaussians.train.config import GaussianConfig
from core.gaussians.train.data import AvatarData
from core.gaussians.train.evaluate import evaluate_avatar
from core.gaussians.train.innovations.registry import build_innovations
from core.gaussians.train.source import load_clip_data
from core.gaussians.train.state import create_state, load_state, state_dict
from core.gaussians.train.step import HELDOUT_PREVIEW_COLUMNS, StepSetup, preview_image, train_step
from core.gaussians.train.strategies.factory import build_strategy
from core.io import atomic
from core.jobs.context import JobContext
from core.jobs.errors import BadInput
from core.jobs.job import Job
from core.jobs.message import Text
from core.train.amp import Amp, AmpSettings
from core.train.checkpoint import nested_tensors
from core.train.loop import CHECKPOINT as CHECKPOINT  # re-exported (ablation, tests)
from core.train.loop import LoopContext, LoopSettings, StepOutput, TrainHooks, run_training
from core.train.spec import TrainRequest

NAN_HINT = (
    "lower the loss weights ([loss], the innovations' weights) or the learning rates ([optim]), "
    "or turn AMP off (train.amp = false)"
)

log = logging.getLogger(__name__)

KIND = "gaussian"
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
        settings = LoopSettings.of_config(KIND, self.cfg, NAN_HINT)
        return run_training(_GaussianHooks(self), ctx, self.req, settings)


class _GaussianHooks(TrainHooks):
    """The Gaussian kind in the training loop; one step is `step.train_step`."""

    def __init__(self, job: GaussianTrainJob) -> None:
        self.job = job
        self.cfg = job.cfg
        self.window_t, self.window_n = 0.0, 0

    def setup(self, lc: LoopContext) -> int:
        cfg, req, device = self.cfg, lc.request, lc.device
        if not req.clips:
            raise BadInput(Text("a Gaussian avatar needs a prepared clip (--clip NAME)."))
        if len(req.clips) > 1:
            lc.job.log(f"a Gaussian avatar is trained from one clip; using {req.clips[0].name}", "warning")
        self.innovations = build_innovations(cfg, device)  # a missing VGG19 file fails here, before any work
        self.selection = select_renderer(cfg.train.renderer, device)
        lc.job.log(f"renderer: {self.selection.renderer.name} ({self.selection.reason})")
        self.data = self.job.data_loader(req.clips[0], cfg)
        total = cfg.train.steps if req.max_steps is None else min(cfg.train.steps, req.max_steps)
        self.strategy = build_strategy(cfg, total)
        return total

    def init(self, lc: LoopContext, checkpoint: dict | None) -> None:
        cfg, data, device = self.cfg, self.data, lc.device
        self.st = create_state(cfg, data, self.strategy, device, self.innovations)
        if checkpoint is not None:
            load_state(self.st, checkpoint, cfg, data.extent, device)
            lc.job.log(f"continuing with {self.st.count} Gaussians")
        lc.job.log(
            f"{len(data.train_ids)} training / {len(data.test_ids)} held-out frames at "
            f"{data.resolution}px, {self.st.count} Gaussians, innovations: "
            f"{', '.join(cfg.enabled_innovations()) or 'none (baseline)'}"
        )
        self.amp = GuardedAmp(Amp.create(AmpSettings(enabled=cfg.train.amp), device), lc)
        self.step_setup = StepSetup(
            cfg, data, self.selection.renderer, self.strategy, lc.total, self.amp, device
        )  # the amp checks the loss before backward and the gradients before each step
        if lc.is_main:
            lc.run.set_status("running", renderer=self.selection.renderer.name)

    def train_step(self, lc: LoopContext) -> StepOutput:
        st = self.st
        t0 = time.perf_counter()
        res = train_step(st, self.step_setup)
        dt = time.perf_counter() - t0
        st.train_seconds += dt
        self.window_t, self.window_n = self.window_t + dt, self.window_n + 1
        step = st.step
        if res.report.changed:
            lc.job.emit(res.report.event())
        metrics = {f"train/{name}": value for name, value in res.losses.items()}
        metrics["train/gaussians"] = st.count
        metrics["train/resolution"] = res.size[0]
        metrics["lr/position"] = heldout.position_learning_rate(st)
        if step % self.cfg.train.log_every == 0 or step == lc.total:
            metrics["train/iter_per_s"] = self.window_n / max(self.window_t, 1e-9)  # render + update only
            self.window_t, self.window_n = 0.0, 0
        return StepOutput(metrics, f"loss {res.losses['loss']:.4f}, {st.count} Gaussians")

    def state_dict(self, lc: LoopContext) -> dict:
        return state_dict(self.st)

    def weights(self) -> list[torch.Tensor]:
        st = self.st
        return [*st.params.values(), *(t for inn in st.innovations for t in nested_tensors(inn.state_dict()))]

    def preview(self, lc: LoopContext) -> None:
        image = preview_image(self.st, self.step_setup)
        lc.preview("gaussian/heldout", image, file_name="heldout", columns=HELDOUT_PREVIEW_COLUMNS)

    def evaluate(self, lc: LoopContext) -> None:
        if lc.step >= lc.total and self.job.evaluate:
            return  # the full evaluation at the end reports this step
        for name, value in heldout.quick_scores(self.st, self.step_setup).items():
            lc.metric(f"eval/{name}", value)

    def finish(self, lc: LoopContext) -> Path:
        cfg, st, data, run, total, device = self.cfg, self.st, self.data, lc.run, lc.total, lc.device
        avatar = bundle.save_bundle(run.path / bundle.AVATAR_FILE, st, data, cfg)
        lc.job.artifact(avatar, "gaussian-avatar")
        if self.job.evaluate:
            lc.job.progress(total, total, "evaluating held-out frames")
            scores = evaluate_avatar(
                bundle.load_bundle(avatar, device),
                data,
                self.selection.renderer,
                device,
                cfg.data.background,
                on_frame=lambda done, total: lc.job.checkpoint(),  # Ctrl-C: stop before the next frame
            )
            atomic.write_json(run.path / "eval.json", scores)
            for k in ("psnr", "ssim", "face_psnr", "face_ssim", "render_fps"):
                lc.metric(f"eval/{k}", scores[k], step=total)
            lc.job.log(
                f"held-out PSNR {scores['psnr']:.2f} dB, SSIM {scores['ssim']:.4f}, LPIPS {scores['lpips']}, "
                f"face PSNR {scores['face_psnr']:.2f} dB, face SSIM {scores['face_ssim']:.4f}, "
                f"{scores['gaussians']} Gaussians, {scores['render_fps']:.1f} render fps"
            )
        run.set_status(
            "running", step=st.step, total=total, gaussians=st.count, train_seconds=round(st.train_seconds, 3)
        )
        return run.path


class GuardedAmp:
    """`Amp` as `train_step` uses it, with the loop's NaN guard before every backward and update.

    `train_step` computes the loss and steps the optimizers itself; this adapter is where the
    loop's checks meet it: a non-finite loss stops the run before `backward`, non-finite
    gradients before the first optimizer step (unless a GradScaler handles overflow).
    """

    def __init__(self, amp: Amp, lc: LoopContext) -> None:
        self.amp = amp
        self.lc = lc

    def __getattr__(self, name: str):
        return getattr(self.amp, name)

    def backward(self, loss: torch.Tensor, accumulation: int = 1) -> None:
        self.lc.check_losses({"total": loss})
        self.amp.backward(loss, accumulation)

    def step(self, optimizer: torch.optim.Optimizer) -> bool:
        if self.amp.scaler is None:
            self.lc.check_grads(p for group in optimizer.param_groups for p in group["params"])
        return self.amp.step(optimizer)


def make_job(config: GaussianConfig, request: TrainRequest) -> GaussianTrainJob:
    return GaussianTrainJob(config, request)
