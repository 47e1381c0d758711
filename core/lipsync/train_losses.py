"""The generator and discriminator objectives of one lip-sync training step.

Generator: lamb_pixel * L1 + lamb_mouth * mouth-weighted L1 + lamb_perception * VGG19 pyramid
+ lamb_high_frequency * mouth-box Laplacian L1 + lamb_gan * LSGAN
+ lamb_temporal * temporal consistency (sequences of T frames only).
Every term is returned by name so the trainer can log it and name the one that went NaN.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from core.lipsync.config import LossConfig
from core.lipsync.geometry import CropGeometry
from core.losses.gan import lsgan_discriminator_loss, lsgan_generator_loss
from core.losses.high_frequency import high_frequency_l1
from core.losses.mouth_weighted import mouth_weighted_l1
from core.losses.perceptual import PerceptualLoss
from core.losses.pixel import l1_loss
from core.losses.temporal import temporal_losses


@dataclass
class Objectives:
    cfg: LossConfig
    perceptual: PerceptualLoss | None  # None when lamb_perception is 0

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
        mask = geometry.mouth_mask(device=output.device)
        terms: dict[str, torch.Tensor] = {"pixel": c.lamb_pixel * l1_loss(output, target)}
        if c.lamb_mouth > 0:
            terms["mouth"] = c.lamb_mouth * mouth_weighted_l1(output, target, mask, c.mouth_weight)
        if c.lamb_high_frequency > 0:
            terms["high_frequency"] = c.lamb_high_frequency * high_frequency_l1(
                output, target, mask, c.high_frequency_levels
            )
        if self.perceptual is not None and c.lamb_perception > 0:
            terms["perception"] = c.lamb_perception * self.perceptual(output.float(), target.float())
        if fake_scores is not None and c.lamb_gan > 0:
            terms["gan"] = c.lamb_gan * lsgan_generator_loss(fake_scores)
        if c.lamb_temporal > 0 and frames > 1:
            seq = lambda x: x.float().reshape(-1, frames, *x.shape[1:])  # noqa: E731
            terms["temporal"] = (
                c.lamb_temporal * temporal_losses(seq(output), seq(target), mask, c.temporal)["total"]
            )
        terms["total"] = torch.stack([v.float() for v in terms.values()]).sum()
        return terms

    @staticmethod
    def discriminator(real_scores: list[torch.Tensor], fake_scores: list[torch.Tensor]) -> torch.Tensor:
        return lsgan_discriminator_loss(real_scores, fake_scores)
