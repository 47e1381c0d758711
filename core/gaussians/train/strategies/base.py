"""The strategy interface: every hook receives one typed :class:`StepContext`.

A strategy is a dataclass of hyperparameters. Its running statistics (accumulated screen-space
gradients, visibility counts) are a plain dict made by ``initialize_state`` and owned by the
trainer, which also saves it in checkpoints. Because every hook takes the same context object,
the trainer calls any strategy the same way (no per-strategy branches).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field, fields
from typing import Any

import torch
from torch import Tensor

from core.gaussians.train.ops import Params, Rows
from core.jobs.events import RefineStep, RegionRefine

REQUIRED = ("local_means", "local_quats", "log_scales", "opacity_logits", "sh_dc")


@dataclass
class StepContext:
    """What a strategy may read or change at one training step."""

    step: int  # the step being taken (0-based)
    params: Params  # trainable per-Gaussian parameters (see ops)
    optimizers: list[torch.optim.Optimizer]  # those holding ``params`` (changed together by ops)
    extras: Rows  # non-trained per-Gaussian tensors; ``binding`` [N] triangle ids
    meta: dict[str, Any]  # the renderer's meta of this step: means2d (with .grad), radii
    world_scales: Tensor  # [N, 3] world-space standard deviations (detached)
    width: int  # rendered image size (it changes with progressive resolution)
    height: int
    scene_extent: float  # radius of the mesh's bounding sphere, world units
    region_triangles: Tensor | None = None  # [T] bool: triangles of the semantic regions
    threshold_scale: Tensor | None = None  # [N] multipliers of the densify thresholds
    generator: torch.Generator | None = None  # for split sampling (reproducible runs)


@dataclass
class StepReport:
    """What a densification step did; :meth:`event` turns it into the typed refine event for the UI."""

    step: int = 0  # training steps done (the hook's ``ctx.step + 1``)
    gaussians_before: int = 0
    gaussians_after: int = 0
    cloned: int = 0
    split: int = 0
    pruned: int = 0
    opacity_reset: bool = False
    regions: tuple[RegionRefine, ...] = ()  # per triangle group when the context has region_triangles
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.cloned or self.split or self.pruned or self.opacity_reset)

    def event(self) -> RefineStep:
        """The typed event: every field of :class:`RefineStep` is a field of this report."""
        return RefineStep(**{f.name: getattr(self, f.name) for f in fields(RefineStep)})


def region_counts(in_region: Tensor, clone: Tensor, split: Tensor, prune: Tensor) -> tuple[RegionRefine, ...]:
    """Counts per triangle group. ``in_region`` and ``prune`` index the Gaussians before pruning;
    ``clone`` and ``split`` index those that survived it."""
    kept = in_region[~prune]
    return tuple(
        RegionRefine(name, int((clone & k).sum()), int((split & k).sum()), int((prune & r).sum()))
        for name, r, k in (("semantic regions", in_region, kept), ("elsewhere", ~in_region, ~kept))
    )


class Strategy(ABC):
    """Hooks called by the trainer around ``loss.backward()``."""

    def check_sanity(self, params: Params, extras: Rows) -> None:
        missing = [k for k in REQUIRED if k not in params]
        if missing:
            raise ValueError(f"strategy needs parameters {missing}")
        if "binding" not in extras:
            raise ValueError("strategy needs the binding (triangle index per Gaussian)")
        n = params["local_means"].shape[0]
        bad = [k for k, v in {**params, **extras}.items() if v.shape[0] != n]
        if bad:
            raise ValueError(f"per-Gaussian tensors {bad} do not have {n} rows")

    @abstractmethod
    def initialize_state(self, n: int, device: torch.device) -> Rows: ...

    def step_pre_backward(self, ctx: StepContext, state: Rows) -> None:
        """Before backward: make sure the screen-space means keep their gradient."""
        means2d = ctx.meta.get("means2d")
        if means2d is not None and means2d.requires_grad and not means2d.is_leaf:
            means2d.retain_grad()

    @abstractmethod
    def step_post_backward(self, ctx: StepContext, state: Rows) -> StepReport: ...
