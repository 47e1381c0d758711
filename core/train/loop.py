"""The one training loop: every kind's run goes through `run_training`.

The loop owns what must behave the same for every avatar kind:
  - seeding (once, before the kind builds anything),
  - resume: `--resume` loads `checkpoints/last.pt` through the common header (another kind or a
    newer version is refused); without a checkpoint the run says so as a warning and starts at
    step 0 — the same for every kind,
  - cancel and pause (`ctx.checkpoint()` before each step),
  - cadences: metrics and steps/s every `log_every`, previews every `preview_every`, held-out
    evaluation every `eval_every`, checkpoints every `checkpoint_every`, at a stage end, at the
    end and on cancel,
  - the NaN guard: kinds call `LoopContext.check_losses` / `check_grads` before each optimizer
    step, and the weights are checked before every checkpoint, so a non-finite run stops with a
    message naming the step, the last good checkpoint and what to change; the checkpoint on
    disk stays the last good one and the job fails (the run ends failed, never finished),
  - DDP rank roles (every rank trains, rank 0 writes),
  - CPU threads: the run's torch intra-op thread count, the job's `train.cpu_threads` or chosen
    from the free cores (`core.compute.threads`), set on the training thread and logged,
  - the clips: held for reading (`core.io.claim.reading`) from the start to the end of the run, so
    no studio window or `dhstudio` command removes, renames or prepares them again under it (and a
    clip being prepared or removed is refused here, as bad input naming that job).

A kind supplies its hooks (`TrainHooks`): build data, build or restore state, one step, its
state dict, and optionally previews, evaluation and what happens at the end. Every hook gets the
same typed `LoopContext`, like the Gaussian densification strategies get one `StepContext`.

Example:
    class Tiny(TrainHooks):
        def setup(self, lc): return 10                       # total steps
        def init(self, lc, ckpt): self.w = ...               # fresh or from ckpt["w"]
        def train_step(self, lc): ...; lc.check_losses({"mse": loss}); opt.step()
            return StepOutput({"loss/mse": float(loss)})
        def state_dict(self, lc): return {"w": self.w}
        def weights(self): return [self.w]

    run_training(Tiny(), ctx, request, LoopSettings("tiny", seed=0, log_every=1, ...))
"""

from __future__ import annotations

import contextlib
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from core.compute.heap import retained_heap
from core.compute.threads import use_cpu_threads
from core.device import resolve_device, seed_everything
from core.io.claim import reading
from core.jobs.context import JobContext
from core.jobs.errors import JobCancelled
from core.train import ddp
from core.train.checkpoint import make_header, read_checkpoint, save_checkpoint
from core.train.metric_sink import report_metric
from core.train.nan_guard import (
    NonFiniteLoss,
    failure_message,
    non_finite_grads,
    non_finite_tensors,
    non_finite_terms,
)
from core.train.run_folder import RunFolder
from core.train.spec import TrainRequest

log = logging.getLogger(__name__)

CHECKPOINT = "last.pt"
CADENCES = ("log_every", "checkpoint_every", "preview_every", "eval_every")  # in optimizer steps


@dataclass(frozen=True)
class LoopSettings:
    """How the loop treats one kind's run (cadences in optimizer steps; 0 = never)."""

    kind: str  # the checkpoint header's kind (the registry name)
    seed: int
    config: Mapping[str, Any]  # the resolved job config, stored in every checkpoint header
    log_every: int = 10
    checkpoint_every: int = 200
    preview_every: int = 0
    eval_every: int = 0
    nan_hint: str = ""  # what to change when training goes non-finite
    kind_version: int = 1  # version of the kind's checkpoint payload
    distributed: bool = False  # join torchrun's process group (the kind wraps its models)
    cpu_threads: int = 0  # torch intra-op threads for this run; 0 = chosen from the free cores
    retain_heap: bool = True  # keep freed activations in the C heap between steps (core.compute.heap)

    @classmethod
    def of_config(cls, kind: str, cfg: Any, nan_hint: str, **fields: Any) -> LoopSettings:
        """A job config's settings: its `train.seed`, its resolved dump (stored in the checkpoint headers),
        the cadences its `train` section declares (`log_every`, `checkpoint_every`, ...), its
        `cpu_threads` and `retain_heap`, then `fields`."""
        t = cfg.train
        names = (*CADENCES, "cpu_threads", "retain_heap")
        cadences = {name: getattr(t, name) for name in names if hasattr(t, name)}
        config = cfg.model_dump(mode="json")
        return cls(kind=kind, seed=t.seed, config=config, nan_hint=nan_hint, **{**cadences, **fields})


@dataclass
class StepOutput:
    """What one step reports: metrics by full name (sent every `log_every`) and a progress line."""

    metrics: dict[str, float] = field(default_factory=dict)
    message: str = ""
    stage_end: bool = False  # a checkpoint is written after this step


@dataclass
class LoopContext:
    """What every hook sees: where the run lives, where it runs, and where it is."""

    job: JobContext
    request: TrainRequest
    settings: LoopSettings
    device: torch.device
    dist: ddp.DistInfo = field(default_factory=ddp.DistInfo)
    step: int = 0  # steps done; inside `train_step` the 0-based index of the step being taken
    total: int = 0
    resumed: bool = False
    last_good: Path | None = None  # the newest checkpoint written or loaded by this run
    _save: Callable[[], None] | None = field(default=None, repr=False)

    @property
    def run(self) -> RunFolder:
        return self.request.run

    @property
    def checkpoint_path(self) -> Path:
        return self.request.run.checkpoints / CHECKPOINT

    @property
    def is_main(self) -> bool:
        return self.dist.is_main

    def metric(self, name: str, value: float, step: int | None = None) -> None:
        if self.is_main:
            report_metric(self.job, self.run, name, self.step if step is None else step, value)

    def preview(self, name: str, image, file_name: str | None = None, columns: tuple[str, ...] = ()) -> None:
        """Send a preview image (a grid with its column names); keep it as previews/<file_name>_<step>.png."""
        if self.is_main:
            self.job.preview(name, image, columns)
            self.run.save_preview(file_name or name, image, self.step)

    def check_losses(self, terms: Mapping[str, torch.Tensor | float]) -> None:
        """Call before the optimizer step: a NaN/inf term (on any rank) stops the run."""
        bad = non_finite_terms(terms)
        if ddp.any_rank(bool(bad), self.dist, self.device):
            what = f"loss {', '.join(repr(b) for b in bad)}" if bad else "a loss on another rank"
            raise NonFiniteLoss(self.failure(what))

    def check_grads(self, params: Iterable[torch.nn.Parameter]) -> None:
        """Call after unscaling and before the optimizer step (skip it where a GradScaler decides)."""
        if ddp.any_rank(non_finite_grads(params), self.dist, self.device):
            raise NonFiniteLoss(self.failure("a gradient"))

    def failure(self, what: str) -> str:
        return failure_message(what, self.step, self.last_good, self.settings.nan_hint)

    def save_checkpoint(self) -> None:
        """Write `checkpoints/last.pt` now (the loop does this on its cadences already)."""
        if self._save is not None:
            self._save()


class TrainHooks(ABC):
    """What a kind gives the loop. Only rank 0 gets `preview`, `evaluate` and metric writes."""

    @abstractmethod
    def setup(self, lc: LoopContext) -> int:
        """Load data, build what does not depend on a checkpoint; return the total step count."""

    @abstractmethod
    def init(self, lc: LoopContext, checkpoint: dict[str, Any] | None) -> None:
        """Build the trainable state, fresh (None) or restored from a checkpoint at `lc.step`."""

    @abstractmethod
    def train_step(self, lc: LoopContext) -> StepOutput:
        """Take optimizer step `lc.step`; call `lc.check_losses` before the optimizer step."""

    @abstractmethod
    def state_dict(self, lc: LoopContext) -> dict[str, Any]:
        """Everything resume needs, by name (tensors, numbers, lists, dicts only)."""

    @abstractmethod
    def weights(self) -> Iterable[torch.Tensor]:
        """The tensors that must be finite before any checkpoint is written."""

    def preview(self, lc: LoopContext) -> None:  # noqa: B027 - optional hook
        """Send preview images (`lc.preview`)."""

    def evaluate(self, lc: LoopContext) -> None:  # noqa: B027 - optional hook
        """Held-out evaluation on the `eval_every` cadence and at the last step, before its checkpoint."""

    def finish(self, lc: LoopContext) -> Any:
        """After the last step and checkpoint (every rank): bundles, held-out metrics; the job's value."""
        return lc.run.path


def run_training(hooks: TrainHooks, job: JobContext, request: TrainRequest, settings: LoopSettings) -> Any:
    with reading(request.clips, "training", "start the training"):
        device = resolve_device(request.device)
        dist = ddp.DistInfo()
        if settings.distributed:
            dist, device = ddp.init_distributed(device)
        try:
            heap = retained_heap() if settings.retain_heap else contextlib.nullcontext()
            with heap, use_cpu_threads(settings.cpu_threads) as threads:
                job.log(f"{threads.threads} CPU thread(s) for torch: {threads.reason}")
                return _Loop(hooks, LoopContext(job, request, settings, device, dist)).run()
        finally:
            if settings.distributed:
                ddp.shutdown(dist)


class _Loop:
    def __init__(self, hooks: TrainHooks, lc: LoopContext) -> None:
        self.hooks = hooks
        self.lc = lc
        self.saved_step: int | None = None
        lc._save = lambda: self.save(force=True)

    def run(self) -> Any:
        hooks, lc, s = self.hooks, self.lc, self.lc.settings
        seed_everything(s.seed)  # the one place a training run is seeded
        lc.total = int(hooks.setup(lc))
        checkpoint = self.resume_checkpoint()
        hooks.init(lc, checkpoint)
        lc.step = ddp.broadcast_int(lc.step, lc.dist, lc.device)
        if lc.is_main:
            lc.run.set_status(
                "running", kind=s.kind, step=lc.step, total=lc.total, world_size=lc.dist.world_size
            )
        try:
            self.steps()
        except JobCancelled:
            if lc.step > 0:  # no collective here: the other ranks may not have stopped yet
                self.save(collective=False)
                lc.job.log(f"cancelled at step {lc.step}; checkpoint saved, continue with --resume")
            if lc.is_main:
                lc.run.set_status("cancelled", step=lc.step, total=lc.total)
            raise
        except NonFiniteLoss:
            if lc.is_main:
                lc.run.set_status("failed", step=lc.step, total=lc.total)
            raise
        if self.saved_step != lc.step:
            self.save()
        value = hooks.finish(lc)
        if lc.is_main and lc.checkpoint_path.is_file():
            lc.job.artifact(lc.checkpoint_path, "checkpoint")
        return value

    def resume_checkpoint(self) -> dict[str, Any] | None:
        lc, s = self.lc, self.lc.settings
        if not lc.request.resume:
            return None
        path = lc.checkpoint_path
        if not path.is_file():
            lc.job.log(f"--resume: no checkpoint in {path.parent}; starting from step 0", "warning")
            return None
        ckpt = read_checkpoint(path, s.kind, lc.device, s.kind_version)
        lc.step, lc.resumed, lc.last_good, self.saved_step = int(ckpt["step"]), True, path, int(ckpt["step"])
        lc.job.log(f"resumed at step {lc.step} from {path}")
        return ckpt

    def steps(self) -> None:
        hooks, lc, s = self.hooks, self.lc, self.lc.settings
        t_last, step_last = time.perf_counter(), lc.step
        while lc.step < lc.total:
            lc.job.checkpoint()  # cancel raises here; pause blocks here
            out = hooks.train_step(lc)
            lc.step += 1
            step, last = lc.step, lc.step == lc.total
            lc.job.progress(step, lc.total, out.message)
            if lc.is_main and (_due(step, s.log_every) or last):
                now = time.perf_counter()
                for name, value in out.metrics.items():
                    lc.metric(name, value)
                lc.metric("perf/steps_per_s", (step - step_last) / max(now - t_last, 1e-9))
                t_last, step_last = now, step
            if lc.is_main and (_due(step, s.preview_every) or (last and s.preview_every)):
                hooks.preview(lc)
            if lc.is_main and (_due(step, s.eval_every) or (last and s.eval_every)):
                hooks.evaluate(lc)
            if _due(step, s.checkpoint_every) or out.stage_end or last:
                self.save()

    def save(self, force: bool = False, collective: bool = True) -> None:
        """Write the checkpoint, but never non-finite weights: those stop the run instead."""
        lc = self.lc
        if self.saved_step == lc.step and not force:
            return
        bad = non_finite_tensors(self.hooks.weights())
        if ddp.any_rank(bad, lc.dist, lc.device) if collective else bad:
            raise NonFiniteLoss(lc.failure("the weights"))
        if lc.is_main:
            header = make_header(lc.settings.kind, lc.step, lc.settings.config, lc.settings.kind_version)
            save_checkpoint(lc.checkpoint_path, {**self.hooks.state_dict(lc), **header})
            lc.run.set_status("running", step=lc.step, total=lc.total)
        lc.last_good, self.saved_step = lc.checkpoint_path, lc.step


def _due(step: int, every: int) -> bool:
    return every > 0 and step % every == 0
