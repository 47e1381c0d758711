"""The 3DGS / GaussianAvatars densification rule with binding-safe pruning.

Every step the norm of each visible Gaussian's screen-space gradient (in NDC units, as 3DGS)
is accumulated. Every ``every`` steps inside ``[start_step, stop_step)``: Gaussians whose mean
gradient exceeds the threshold are cloned when small (max world scale <= ``percent_dense`` x
extent) and split when large. Gaussians with opacity below ``min_opacity`` (and, after the first
opacity reset, those larger than 0.1 x extent in the world) are pruned first, except the last
Gaussian of each triangle, so a triangle never loses its binding.
Every ``opacity_reset_every`` steps opacities are clamped to 0.01.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from core.gaussians.train import ops
from core.gaussians.train.ops import Rows
from core.gaussians.train.strategies.base import StepContext, StepReport, Strategy, region_counts


@dataclass
class DefaultStrategy(Strategy):
    start_step: int = 500
    stop_step: int = 15_000
    every: int = 100
    opacity_reset_every: int = 3000
    grad_threshold: float = 2e-4
    percent_dense: float = 0.01
    min_opacity: float = 0.005
    max_gaussians: int = 100_000
    reset_value: float = 0.01

    def initialize_state(self, n: int, device: torch.device) -> Rows:
        return {"grad2d": torch.zeros(n, device=device), "count": torch.zeros(n, device=device)}

    def accumulate(self, ctx: StepContext, state: Rows) -> None:
        means2d = ctx.meta["means2d"]
        if means2d.grad is None:
            return
        grad = means2d.grad.detach().clone()
        grad[:, 0] *= ctx.width / 2.0
        grad[:, 1] *= ctx.height / 2.0
        visible = (ctx.meta["radii"] > 0).reshape(grad.shape[0], -1).all(dim=-1)
        state["grad2d"][visible] += grad[visible].norm(dim=-1)
        state["count"][visible] += 1

    def mean_grads(self, state: Rows) -> Tensor:
        return state["grad2d"] / state["count"].clamp_min(1.0)

    def select(self, grads: Tensor, seen: Tensor, ctx: StepContext) -> tuple[Tensor, Tensor]:
        """(clone [N] bool, split [N] bool) from mean gradients; ``seen`` marks Gaussians with data."""
        threshold = torch.full_like(grads, self.grad_threshold)
        if ctx.threshold_scale is not None:
            threshold = threshold * ctx.threshold_scale
        hot = (grads >= threshold) & seen
        big = ctx.world_scales.max(dim=-1).values > self.percent_dense * ctx.scene_extent
        return hot & ~big, hot & big

    def step_post_backward(self, ctx: StepContext, state: Rows) -> StepReport:
        n = ops.count(ctx.params)
        report = StepReport(step=ctx.step + 1, gaussians_before=n, gaussians_after=n)
        if ctx.step >= self.stop_step:
            return report
        self.accumulate(ctx, state)
        step = ctx.step + 1
        if step > self.start_step and step % self.every == 0:
            self._refine(ctx, state, report)
        if step % self.opacity_reset_every == 0:
            ops.reset_opacity(ctx.params, ctx.optimizers, self.reset_value)
            report.opacity_reset = True
        report.gaussians_after = ops.count(ctx.params)
        return report

    def _refine(self, ctx: StepContext, state: Rows, report: StepReport) -> None:
        grads, seen = self.mean_grads(state), state["count"] > 0
        clone, split = self.select(grads, seen, ctx)
        clone, split = self._cap(clone, split, grads, ops.count(ctx.params))
        prune = self.prune_mask(ctx)
        keep = ~prune
        clone, split = clone[keep], split[keep]
        if ctx.region_triangles is not None:
            in_region = ctx.region_triangles[ctx.extras["binding"]]
            report.regions = region_counts(in_region, clone, split, prune)
        report.pruned = int(prune.sum())
        if report.pruned:
            ops.remove(ctx.params, ctx.optimizers, prune, ctx.extras, state)
        report.cloned, report.split = int(clone.sum()), int(split.sum())
        n0 = ops.count(ctx.params)
        if report.cloned:
            ops.duplicate(ctx.params, ctx.optimizers, clone, ctx.extras, state)
        if report.split:
            pad = torch.zeros(ops.count(ctx.params) - n0, dtype=torch.bool, device=split.device)
            ops.split(ctx.params, ctx.optimizers, torch.cat([split, pad]), ctx.extras, state, ctx.generator)
        for v in state.values():
            v.zero_()

    def prune_mask(self, ctx: StepContext) -> Tensor:
        """Transparent Gaussians, and after the first opacity reset huge ones; never a triangle's last."""
        opacity = torch.sigmoid(ctx.params["opacity_logits"].detach())
        prune = opacity < self.min_opacity
        if ctx.step + 1 > self.opacity_reset_every:
            prune |= ctx.world_scales.max(dim=-1).values > 0.1 * ctx.scene_extent
        return ops.last_of_triangle(prune, ctx.extras["binding"], opacity)

    def _cap(self, clone: Tensor, split: Tensor, grads: Tensor, n: int) -> tuple[Tensor, Tensor]:
        """Keep the growth within ``max_gaussians``, preferring the largest gradients."""
        room = self.max_gaussians - n
        want = int(clone.sum()) + int(split.sum())  # each split adds one net Gaussian
        if want <= room:
            return clone, split
        if room <= 0:
            return torch.zeros_like(clone), torch.zeros_like(split)
        chosen = clone | split
        order = torch.argsort(torch.where(chosen, grads, torch.full_like(grads, -1.0)), descending=True)
        keep = torch.zeros_like(chosen)
        keep[order[:room]] = True
        return clone & keep, split & keep
