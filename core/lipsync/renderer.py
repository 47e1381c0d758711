"""The interface both DINet variants share, and the forward pass they have in common.

Inputs (M = mouth size, H x W = face crop of `CropGeometry(M)`, values in [0, 1]):
  source      [B, 4, H, W]     face crop with the mouth box zeroed (RGB) + mouth shape map
  references  [B, R, 4, H, W]  R (= 5) unmasked face crops of the same person (RGB) + their
                               shape maps
Output: the whole face crop [B, 3, H, W], RGB in [0, 1] (sigmoid). The caller pastes back
only the mouth region (feathered); outside it the network reproduces the source.

Data path: source encoder (U-Net skips) -> [attention "encoder"] -> parameter code from
source + reference bottleneck features -> AdaAT warps the reference features -> merge +
residual blocks -> decoder up-stage 1 -> [attention "decoder"] -> remaining up-stages -> RGB.
References go through their own encoder once: `encode_references` gives the cache that
`forward_cached` reuses for every frame at inference.
"""

from __future__ import annotations

from typing import ClassVar

import torch
from torch import nn

from core.lipsync.adaat import AdaAT
from core.lipsync.attention import AttentionBlock, maps_to_image
from core.lipsync.blocks import num_downsamples
from core.lipsync.config import RendererConfig
from core.lipsync.geometry import crop_geometry

AttentionMaps = dict[str, torch.Tensor]


class LipSyncRenderer(nn.Module):
    """Base of DINet full and mini: subclasses build the layers, this class runs them."""

    src_stem: nn.Module
    src_downs: nn.ModuleList
    ref_encoder: nn.Module
    param_encoder: nn.Module
    adaat: AdaAT
    merge: nn.Module
    ups: nn.ModuleList
    head: nn.Module
    variant: ClassVar[str]  # the `RendererConfig.variant` a subclass builds

    def __init__(self, cfg: RendererConfig) -> None:
        if cfg.variant != self.variant:
            raise ValueError(f"{type(self).__name__} needs variant {self.variant!r}, got {cfg.variant!r}")
        super().__init__()
        self.cfg = cfg
        self.channels = channel_plan(cfg.width, num_downsamples(cfg.mouth_size))  # per encoder level
        self.geometry = crop_geometry(cfg.mouth_size)
        self.att_encoder: AttentionBlock | None = None
        self.att_decoder: AttentionBlock | None = None

    def _build_attention(self, bottleneck_channels: int, decoder_channels: int) -> None:
        att = self.cfg.attention
        if not att.enabled:
            return
        if "encoder" in att.points:
            self.att_encoder = AttentionBlock(bottleneck_channels, att, self.geometry)
        if "decoder" in att.points:
            self.att_decoder = AttentionBlock(decoder_channels, att, self.geometry)

    def check_source(self, source: torch.Tensor) -> None:
        h, w = self.geometry.crop_size
        if source.dim() != 4 or tuple(source.shape[1:]) != (4, h, w):
            raise ValueError(f"source must be [B, 4, {h}, {w}], got {tuple(source.shape)}")

    def check_references(self, references: torch.Tensor) -> None:
        want = (self.cfg.num_references, 4, *self.geometry.crop_size)
        if references.dim() != 5 or tuple(references.shape[1:]) != want:
            raise ValueError(
                f"references must be [B, {', '.join(map(str, want))}], got {tuple(references.shape)}"
            )

    def encode_references(self, references: torch.Tensor) -> torch.Tensor:
        """Reference features [B, C, h, w] from references [B, R, 4, H, W]; cache for inference."""
        self.check_references(references)
        return self.ref_encoder(references.flatten(1, 2))

    def forward_cached(
        self, source: torch.Tensor, ref_features: torch.Tensor, return_attention: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, AttentionMaps]:
        """Render the face crop from the source and cached reference features.

        With `return_attention`, also returns {"<point>.<module>": map [B, 1, H, W] in [0, 1]}
        (empty when attention is off).
        """
        self.check_source(source)
        maps: AttentionMaps = {}
        skips = []
        x = self.src_stem(source)
        for down in self.src_downs:
            skips.append(x)
            x = down(x)
        if self.att_encoder is not None:
            x, m = self.att_encoder(x)
            maps.update({f"encoder.{k}": v for k, v in m.items()})
        ref = ref_features.expand(x.shape[0], -1, -1, -1) if ref_features.shape[0] == 1 else ref_features
        code = self.param_encoder(torch.cat([x, ref], dim=1)).flatten(1)
        warped = self.adaat(ref, code)
        x = self.merge(torch.cat([x, warped], dim=1))
        for i, up in enumerate(self.ups):
            x = up(x, skips[-1 - i])
            if i == 0 and self.att_decoder is not None:
                x, m = self.att_decoder(x)
                maps.update({f"decoder.{k}": v for k, v in m.items()})
        out = torch.sigmoid(self.head(x))
        if return_attention:
            return out, maps_to_image(maps, self.geometry.crop_size)
        return out

    def forward(
        self, source: torch.Tensor, references: torch.Tensor, return_attention: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, AttentionMaps]:
        """Render from the source [B, 4, H, W] and references [B, R, 4, H, W]."""
        return self.forward_cached(source, self.encode_references(references), return_attention)


def channel_plan(width: int, levels: int, cap_mult: int = 8) -> list[int]:
    """Channels per encoder level: width, 2*width, ... capped at cap_mult * width."""
    return [width * min(2**i, cap_mult) for i in range(levels + 1)]
