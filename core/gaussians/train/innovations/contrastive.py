"""Contrastive regularisation (seed innovation): keep renders of different frames distinguishable.

The current render and a small cache of recent renders (other, randomly drawn frames, detached)
are average-pooled to ``pool`` x ``pool`` RGB, centred (their own mean removed, so a shared
brightness does not count as similarity) and compared by cosine similarity. The loss is
``weight`` x the mean similarity, which pushes the Gaussians towards frame-specific detail
(mouth and eye states) instead of one blurred average face. The cache is refilled after every
step and saved in checkpoints.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor

from core.gaussians.train.innovations.base import Innovation, StepInput


def pooled(image: Tensor, pool: int) -> Tensor:
    """Centred ``pool`` x ``pool`` descriptor [pool*pool*3] of an image [H, W, 3]."""
    x = F.adaptive_avg_pool2d(image.permute(2, 0, 1)[None].float(), pool)[0].reshape(-1)
    return x - x.mean()


def contrastive_loss(image: Tensor, cache: list[Tensor], pool: int, weight: float) -> Tensor:
    """``weight`` x mean cosine similarity of the render's descriptor to the cached ones (0 if empty)."""
    if not cache:
        return image.new_zeros(())
    d = pooled(image, pool)
    sims = torch.stack([F.cosine_similarity(d, c.to(d.device), dim=0, eps=1e-6) for c in cache])
    return weight * sims.mean()


def push(cache: list[Tensor], image: Tensor, pool: int, size: int) -> list[Tensor]:
    """The cache with this render's descriptor appended (detached), oldest dropped beyond ``size``."""
    return [*cache, pooled(image.detach(), pool)][-size:]


class Contrastive(Innovation):
    name = "contrastive"

    def setup(self, data: Any, device: torch.device) -> None:
        self.cache: list[Tensor] = []

    def losses(self, inp: StepInput) -> dict[str, Tensor]:
        assert inp.image is not None
        s = self.section
        return {"contrastive": contrastive_loss(inp.image, self.cache, s.pool, s.weight)}

    def after_step(self, inp: StepInput) -> None:
        assert inp.image is not None
        self.cache = push(self.cache, inp.image, self.section.pool, self.section.cache_size)

    def state_dict(self) -> dict[str, Any]:
        return {"cache": [c.cpu() for c in self.cache]}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.cache = [c.to(self.device) for c in state["cache"]]
