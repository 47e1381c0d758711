"""The `dinet` training job's validated configuration (training_jobs/dinet_*.toml).

Stages: when `[[train.stages]]` is empty, one stage is built from `[train]` (steps or epochs,
batch size, learning rates) at `model.mouth_size`; otherwise each stage sets its own mouth
size, length, batch size and learning rates (the multi-scale schedule).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from core.compute.config import CpuThreads
from core.config.model import ConfigModel
from core.lipsync.config import AugmentationConfig, DiscriminatorConfig, LossConfig, RendererConfig
from core.lipsync.geometry import ALLOWED_MOUTH_SIZES
from core.train.holdout import DEFAULT_HOLDOUT
from core.train.lr_schedule import LR_SCHEDULES
from core.train.stages import StageConfig

LrSchedule = Literal["constant", "cosine"]
assert set(LrSchedule.__args__) == set(LR_SCHEDULES)  # type: ignore[attr-defined]


class TrainSettings(ConfigModel):
    steps: int | None = Field(default=None, ge=1)
    epochs: float | None = Field(default=None, gt=0)
    batch_size: int = Field(default=8, ge=1, le=1024)
    lr_g: float = Field(default=1e-4, gt=0, le=1.0)
    lr_d: float = Field(default=0.0, ge=0, le=1.0)  # 0 = same as lr_g
    betas: tuple[float, float] = (0.5, 0.999)
    # The learning rates within each stage (core.train.lr_schedule): "constant", or "cosine" down
    # to `lr_final` x the stage's rates at its last step.
    lr_schedule: LrSchedule = "constant"
    # The cosine schedule's last learning rates, as a fraction of the stage's.
    lr_final: float = Field(default=0.1, gt=0.0, le=1.0)
    # Decay of the generator's weight average (core.train.ema) that checkpoints carry and every
    # render, evaluation and export uses; 0 = off (the last weights are used).
    ema_decay: float = Field(default=0.0, ge=0.0, lt=1.0)
    grad_accumulation: int = Field(default=1, ge=1, le=64)
    amp: bool = True  # CUDA only; ignored on the CPU
    amp_dtype: Literal["auto", "bf16", "fp16"] = "auto"
    # The generator and its batches in NHWC: oneDNN runs the depthwise/pointwise convs without
    # reordering every activation (DINet mini's forward + backward about 1.6x faster on the CPU).
    # The discriminator stays NCHW (faster so).
    channels_last: bool = True
    # Draw the next step's batch on a background thread while this step trains (the same
    # batches; on the CPU it takes crop gathering and augmentation off the step when a core is free).
    prefetch: bool = True
    # Keep freed memory in the C heap while the run trains (core.compute.heap): each step reuses
    # the last step's activations instead of page-faulting fresh ones in (glibc; ~15 % of a DINet
    # mini step's CPU at mouth 64 went to the kernel zeroing pages).
    retain_heap: bool = True
    gan_start_step: int = Field(default=0, ge=0)  # steps of pure reconstruction before the GAN term
    # last fraction of each clip, never trained on
    holdout: float = Field(default=DEFAULT_HOLDOUT, ge=0.05, le=0.5)
    clip_frames: int = Field(
        default=5, ge=2, le=32
    )  # consecutive frames per sample when the temporal loss is on
    checkpoint_every: int = Field(default=200, ge=1)
    preview_every: int = Field(default=100, ge=1)
    log_every: int = Field(default=10, ge=1)
    seed: int = 0
    cpu_threads: CpuThreads = 0  # torch threads on the CPU; 0 / "auto" = the free cores
    stages: tuple[StageConfig, ...] = ()  # [[train.stages]]; empty = one stage from the fields above


class DinetTrainConfig(ConfigModel):
    kind: Literal["dinet"] = "dinet"
    model: RendererConfig = RendererConfig()
    discriminator: DiscriminatorConfig = DiscriminatorConfig()
    loss: LossConfig = LossConfig()
    augmentation: AugmentationConfig = AugmentationConfig()
    train: TrainSettings = TrainSettings()

    @model_validator(mode="after")
    def _check(self) -> DinetTrainConfig:
        for i, s in enumerate(self.train.stages):
            if s.mouth_size not in ALLOWED_MOUTH_SIZES:
                raise ValueError(
                    f"train.stages[{i}].mouth_size {s.mouth_size} not in {list(ALLOWED_MOUTH_SIZES)}"
                )
        if not self.train.stages and (self.train.steps is None) == (self.train.epochs is None):
            raise ValueError("without [[train.stages]], give exactly one of train.steps or train.epochs")
        return self

    def schedule(self) -> tuple[StageConfig, ...]:
        """The stages to run (the implicit single stage when none are listed)."""
        t = self.train
        if t.stages:
            return t.stages
        return (
            StageConfig(
                mouth_size=self.model.mouth_size,
                steps=t.steps,
                epochs=t.epochs,
                batch_size=t.batch_size,
                lr_g=t.lr_g,
                lr_d=t.lr_d,
            ),
        )

    @property
    def temporal(self) -> bool:
        return self.loss.lamb_temporal > 0
