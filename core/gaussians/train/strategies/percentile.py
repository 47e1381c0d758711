"""Smart densification (seed innovation): thresholds from the gradient distribution itself.

Instead of one absolute gradient threshold, the Gaussians seen since the last refinement are
ranked by their mean screen-space gradient: those above the ``clone_percentile`` (75th) are
cloned, those above the ``split_percentile`` (90th) are split, whatever the absolute scale of the
gradients (which changes with image size, loss weights and the learning rate). Per-Gaussian
``threshold_scale`` (semantic densification) multiplies both percentile thresholds.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from core.gaussians.train.strategies.base import StepContext
from core.gaussians.train.strategies.default import DefaultStrategy


@dataclass
class PercentileStrategy(DefaultStrategy):
    clone_percentile: float = 75.0
    split_percentile: float = 90.0

    def thresholds(self, grads: Tensor, seen: Tensor) -> tuple[float, float]:
        """(clone, split) gradient thresholds: the percentiles over the Gaussians with data."""
        values = grads[seen].float()
        if values.numel() == 0:
            return float("inf"), float("inf")
        q = torch.quantile(
            values, torch.tensor([self.clone_percentile, self.split_percentile], device=values.device) / 100.0
        )
        return float(q[0]), float(q[1])

    def select(self, grads: Tensor, seen: Tensor, ctx: StepContext) -> tuple[Tensor, Tensor]:
        clone_t, split_t = self.thresholds(grads, seen)
        scale = ctx.threshold_scale if ctx.threshold_scale is not None else torch.ones_like(grads)
        active = seen & (grads > 0)
        split = active & (grads > split_t * scale)
        clone = active & (grads > clone_t * scale) & ~split
        return clone, split
