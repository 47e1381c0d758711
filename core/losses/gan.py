"""Least-squares GAN losses (LSGAN) over the score maps of a multi-scale discriminator.

Real target 1, fake target 0; the generator pushes fake scores towards 1. Each score map is
averaged, then the scales are averaged, so the value does not depend on the number of scales.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch


def _mean_sq(scores: Sequence[torch.Tensor], target: float) -> torch.Tensor:
    if not scores:
        raise ValueError("need at least one discriminator score map")
    return torch.stack([((s - target) ** 2).mean() for s in scores]).mean()


def lsgan_discriminator_loss(real: Sequence[torch.Tensor], fake: Sequence[torch.Tensor]) -> torch.Tensor:
    """0.5 * (E[(D(real) - 1)^2] + E[D(fake)^2]); pass fake scores of detached images."""
    return 0.5 * (_mean_sq(real, 1.0) + _mean_sq(fake, 0.0))


def lsgan_generator_loss(fake: Sequence[torch.Tensor]) -> torch.Tensor:
    """E[(D(fake) - 1)^2]: 0 when the discriminator takes the renders for real."""
    return _mean_sq(fake, 1.0)
