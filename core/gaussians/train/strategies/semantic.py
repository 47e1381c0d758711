"""Semantic adaptive densification (seed innovation): finer detail where faces need it.

Gaussians bound to triangles of the eye, mouth and nose regions get their densification
thresholds divided by ``ratio`` (1.5), so they clone and split earlier than cheek or forehead
Gaussians. It wraps any threshold rule (the default absolute one or the percentile one) and
passes the per-Gaussian scale to it through the step context.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import torch

from core.gaussians.train.ops import Params, Rows
from core.gaussians.train.strategies.base import StepContext, StepReport, Strategy
from core.gaussians.train.strategies.default import DefaultStrategy


@dataclass
class SemanticStrategy(Strategy):
    inner: DefaultStrategy = field(default_factory=DefaultStrategy)
    ratio: float = 1.5

    def check_sanity(self, params: Params, extras: Rows) -> None:
        self.inner.check_sanity(params, extras)

    def initialize_state(self, n: int, device: torch.device) -> Rows:
        return self.inner.initialize_state(n, device)

    def step_pre_backward(self, ctx: StepContext, state: Rows) -> None:
        self.inner.step_pre_backward(ctx, state)

    def step_post_backward(self, ctx: StepContext, state: Rows) -> StepReport:
        if ctx.region_triangles is None:
            raise ValueError("semantic densification needs region_triangles in the step context")
        in_region = ctx.region_triangles[ctx.extras["binding"]]
        scale = torch.where(in_region, 1.0 / self.ratio, 1.0).to(ctx.world_scales.dtype)
        return self.inner.step_post_backward(replace(ctx, threshold_scale=scale), state)
