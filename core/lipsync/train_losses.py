"""The generator and discriminator objectives of one lip-sync training step.

Generator: lamb_pixel * L1 + lamb_mouth * mouth-weighted L1 + lamb_perception * VGG19 pyramid
+ lamb_high_frequency * mouth-box Laplacian L1 + lamb_gan * LSGAN
+ lamb_temporal * temporal consistency (sequences of T frames only).
Every term is returned by name so the trainer can log it and name the one that went NaN.
The two L1 terms share one |output - target| and the mouth weights are built once per batch
shape, in the output's memory layout (what `l1_loss` and `mouth_weighted_l1` compute, without a
second difference, a per-step mask, or a channels-last x NCHW product and a mean's backward
materialising NCHW gradients: about 3 % of DINet mini's step at mouth 64).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from core.lipsync.config import LossConfig
from core.lipsync.geometry import CropGeometry
from core.losses.gan import lsgan_discriminator_loss, lsgan_generator_loss
from core.losses.high_frequency import high_frequency_l1
from core.losses.perceptual import PerceptualLoss
from core.losses.temporal import temporal_losses


@dataclass
class Objectives:
    cfg: LossConfig
    perceptual: PerceptualLoss | None  # None when lamb_perception is 0
    # (batch shape and layout, mouth size) -> (mouth weights in the output's layout, their sum)
    _mouth_weights: dict[tuple, tuple[torch.Tensor, float]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def generator(
        self,
        output: torch.Tensor,
        target: torch.Tensor,
        geometry: CropGeometry,
        fake_scores: list[torch.Tensor] | None,
        frames: int,
    ) -> dict[str, torch.Tensor]:
        """Weighted terms and their `total`; output/target [B*T, 3, H, W], T = `frames`."""
        c = self.cfg
        if output.shape != target.shape:
            raise ValueError(f"shape mismatch: {tuple(output.shape)} vs {tuple(target.shape)}")
        diff = (output - target).abs()
        # a sum's gradient stays an expanded scalar (a mean's is materialised, in NCHW)
        terms: dict[str, torch.Tensor] = {"pixel": (c.lamb_pixel / diff.numel()) * diff.sum()}
        if c.lamb_mouth > 0:
            weights, total = self.mouth_weights(output, geometry)
            terms["mouth"] = (c.lamb_mouth / total) * (diff * weights).sum()
        if c.lamb_high_frequency > 0:
            terms["high_frequency"] = c.lamb_high_frequency * high_frequency_l1(
                output, target, geometry.mouth_mask(device=output.device), c.high_frequency_levels
            )
        if self.perceptual is not None and c.lamb_perception > 0:
            terms["perception"] = c.lamb_perception * self.perceptual(output.float(), target.float())
        if fake_scores is not None and c.lamb_gan > 0:
            terms["gan"] = c.lamb_gan * lsgan_generator_loss(fake_scores)
        if c.lamb_temporal > 0 and frames > 1:
            seq = lambda x: x.float().reshape(-1, frames, *x.shape[1:])  # noqa: E731
            mask = geometry.mouth_mask(device=output.device)
            terms["temporal"] = (
                c.lamb_temporal * temporal_losses(seq(output), seq(target), mask, c.temporal)["total"]
            )
        terms["total"] = torch.stack([v.float() for v in terms.values()]).sum()
        return terms

    def mouth_weights(self, output: torch.Tensor, geometry: CropGeometry) -> tuple[torch.Tensor, float]:
        """`mouth_weighted_l1`'s weights 1 + (mouth_weight - 1) * mask, full size in `output`'s
        memory layout, and their sum (built on the first batch of a shape, then reused)."""
        key = (tuple(output.shape), output.stride(), output.dtype, output.device, geometry.mouth_size)
        if key not in self._mouth_weights:
            mask = geometry.mouth_mask(device=output.device).to(output.dtype)
            weights = torch.empty_like(output).copy_(
                (1.0 + (self.cfg.mouth_weight - 1.0) * mask).expand_as(output)
            )
            self._mouth_weights.clear()  # one batch shape at a time (a stage change makes a new one)
            self._mouth_weights[key] = (weights, float(weights.double().sum()))
        return self._mouth_weights[key]

    @staticmethod
    def discriminator(real_scores: list[torch.Tensor], fake_scores: list[torch.Tensor]) -> torch.Tensor:
        return lsgan_discriminator_loss(real_scores, fake_scores)
