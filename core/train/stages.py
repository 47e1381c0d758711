"""Stage schedules: a training run as a list of stages (resolution, length, batch size, learning rate).

Each stage's length is given in steps or in epochs; epochs become steps once the training
set's size is known (`plan_stages`). The plan is a flat list of `PlannedStage` with global
step ranges, so resuming at any global step finds its stage with `stage_at`.

Example:
    >>> plan = plan_stages([StageConfig(mouth_size=64, epochs=2, batch_size=4, lr_g=1e-4)], 10)
    >>> plan[0].steps, stage_at(plan, 3).index
    (6, 0)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pydantic import Field, model_validator

from core.config.model import ConfigModel


class StageConfig(ConfigModel):
    """One stage; exactly one of `steps` / `epochs`. `lr_d` 0 means "same as lr_g"."""

    mouth_size: int = 64
    steps: int | None = Field(default=None, ge=1)
    epochs: float | None = Field(default=None, gt=0)
    batch_size: int = Field(default=8, ge=1, le=1024)
    lr_g: float = Field(default=1e-4, gt=0, le=1.0)
    lr_d: float = Field(default=0.0, ge=0, le=1.0)

    @model_validator(mode="after")
    def _one_length(self) -> StageConfig:
        if (self.steps is None) == (self.epochs is None):
            raise ValueError("give exactly one of 'steps' or 'epochs' for each stage")
        return self

    @property
    def lr_discriminator(self) -> float:
        return self.lr_d or self.lr_g


@dataclass(frozen=True)
class PlannedStage:
    index: int
    mouth_size: int
    batch_size: int
    lr_g: float
    lr_d: float
    start: int  # first global step (0-based) of this stage
    steps: int

    @property
    def end(self) -> int:
        """One past the last global step of this stage."""
        return self.start + self.steps


def steps_for(stage: StageConfig, train_samples: int) -> int:
    """Steps of one stage: its `steps`, or ceil(epochs * samples / batch)."""
    if stage.steps is not None:
        return int(stage.steps)
    if train_samples < 1:
        raise ValueError("an epoch-based stage needs at least one training sample")
    return max(1, math.ceil(float(stage.epochs) * train_samples / stage.batch_size))


def plan_stages(
    stages: list[StageConfig] | tuple[StageConfig, ...], train_samples: int, max_steps: int | None = None
) -> list[PlannedStage]:
    """Global step ranges for `stages`; `max_steps` caps the total (later stages are cut or dropped).

    `train_samples` counts samples of one epoch for this rank (DDP ranks split the data).
    """
    if not stages:
        raise ValueError("a schedule needs at least one stage")
    plan: list[PlannedStage] = []
    start = 0
    for i, s in enumerate(stages):
        n = steps_for(s, train_samples)
        if max_steps is not None:
            n = min(n, max_steps - start)
            if n <= 0:
                break
        plan.append(PlannedStage(i, s.mouth_size, s.batch_size, s.lr_g, s.lr_discriminator, start, n))
        start += n
    return plan


def total_steps(plan: list[PlannedStage]) -> int:
    return plan[-1].end if plan else 0


def stage_at(plan: list[PlannedStage], step: int) -> PlannedStage:
    """The stage that runs global step `step` (the last stage for step >= total)."""
    for s in plan:
        if step < s.end:
            return s
    return plan[-1]
