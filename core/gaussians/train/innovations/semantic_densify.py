"""Semantic densification (seed innovation): eye, mouth and nose Gaussians densify more readily.

It gives the densification strategy the triangles of the chosen region groups; the strategy
divides its thresholds by ``ratio`` for Gaussians bound to them (see ``strategies.semantic``).
"""

from __future__ import annotations

import numpy as np
import torch

from core.gaussians.train.data import AvatarData
from core.gaussians.train.innovations.base import Innovation
from core.gaussians.train.strategies.base import StepContext
from core.jobs.errors import BadInput
from core.jobs.message import Text


class SemanticDensify(Innovation):
    name = "semantic_densify"

    def setup(self, data: AvatarData, device: torch.device) -> None:
        regions = data.region_triangles
        unknown = [g for g in self.section.regions if g not in regions]
        if unknown:
            raise BadInput(
                Text(
                    "innovations.semantic_densify.regions: unknown {unknown} for this mesh; use some "
                    "of {allowed}",
                    unknown=unknown,
                    allowed=sorted(regions),
                )
            )
        mask = np.zeros(int(data.faces.shape[0]), dtype=bool)
        for g in self.section.regions:
            mask[regions[g]] = True
        self.triangles = torch.from_numpy(mask).to(device)

    def refine_context(self, ctx: StepContext) -> None:
        ctx.region_triangles = self.triangles
