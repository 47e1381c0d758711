"""The renderer's training objective assembled from `LossConfig` (weights `lamb_*`).

Build it when a job starts: with `lamb_perception > 0` and no VGG19 weights file it raises
BadInput naming the file and where it looked, before any training step runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import torch

from core.lipsync.config import LossConfig
from core.lipsync.geometry import CropGeometry
from core.losses.gan import lsgan_discriminator_loss, lsgan_generator_loss
from core.losses.mouth_weighted import mouth_weighted_l1
from core.losses.perceptual import PerceptualLoss
from core.losses.pixel import l1_loss
from core.losses.temporal import TemporalWeights, temporal_losses
from core.losses.vgg19 import load_vgg19


@dataclass
class RendererLoss:
    """Weighted generator / discriminator / temporal losses for face crops [B, 3, H, W] in [0, 1]."""

    cfg: LossConfig
    geometry: CropGeometry
    perceptual: PerceptualLoss | None

    def generator(
        self, pred: torch.Tensor, target: torch.Tensor, fake_scores: Sequence[torch.Tensor] | None = None
    ) -> dict[str, torch.Tensor]:
        """Unweighted terms plus the weighted `total`; `fake_scores` = D(pred) when GAN is on."""
        c = self.cfg
        mask = self.geometry.mouth_mask(tuple(pred.shape[-2:]), pred.device)
        terms: dict[str, torch.Tensor] = {
            "pixel": l1_loss(pred, target),
            "mouth": mouth_weighted_l1(pred, target, mask, c.mouth_weight),
        }
        total = c.lamb_pixel * terms["pixel"] + c.lamb_mouth * terms["mouth"]
        if self.perceptual is not None:
            terms["perception"] = self.perceptual(pred, target)
            total = total + c.lamb_perception * terms["perception"]
        if fake_scores is not None and c.lamb_gan > 0:
            terms["gan"] = lsgan_generator_loss(fake_scores)
            total = total + c.lamb_gan * terms["gan"]
        terms["total"] = total
        return terms

    def discriminator(
        self, real_scores: Sequence[torch.Tensor], fake_scores: Sequence[torch.Tensor]
    ) -> torch.Tensor:
        return lsgan_discriminator_loss(real_scores, fake_scores)

    def temporal(self, pred_seq: torch.Tensor, target_seq: torch.Tensor) -> dict[str, torch.Tensor]:
        """Temporal terms for [B, T, 3, H, W]; `total` already multiplied by `lamb_temporal`."""
        t = self.cfg.temporal
        weights = TemporalWeights(t.frame_difference, t.flow_warped, t.mouth_region, t.long_term, t.window)
        mask = self.geometry.mouth_mask(tuple(pred_seq.shape[-2:]), pred_seq.device)
        terms = temporal_losses(pred_seq, target_seq, mask, weights)
        terms["total"] = self.cfg.lamb_temporal * terms["total"]
        return terms


def build_renderer_loss(
    cfg: LossConfig,
    geometry: CropGeometry,
    device: torch.device | str = "cpu",
    env: Mapping[str, str] | None = None,
) -> RendererLoss:
    """Loads VGG19 only when the perceptual weight is > 0 (BadInput if its file is missing)."""
    perceptual = None
    if cfg.needs_vgg:
        vgg = load_vgg19(cfg.vgg19_path or None, device=device, env=env)
        perceptual = PerceptualLoss(vgg, cfg.perception_scales)
    return RendererLoss(cfg, geometry, perceptual)
