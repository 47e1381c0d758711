"""DINet full: standard convolutions, 7x7 stems, AdaAT at the bottleneck (training quality).

Per level channels are width * (1, 2, 4, 8, 8, ...); the encoder downsamples 3 times for
M <= 128 and 4 times for M = 160 / 256 (see `blocks.num_downsamples`).
"""

from __future__ import annotations

from torch import nn

from core.lipsync.adaat import AdaAT
from core.lipsync.blocks import ConvNormAct, ResBlock, UpBlock
from core.lipsync.config import RendererConfig
from core.lipsync.renderer import LipSyncRenderer


def _encoder_downs(ch: list[int]) -> nn.ModuleList:
    return nn.ModuleList(ConvNormAct(ch[i], ch[i + 1], 3, stride=2) for i in range(len(ch) - 1))


class DINetFull(LipSyncRenderer):
    variant = "full"

    def __init__(self, cfg: RendererConfig) -> None:
        super().__init__(cfg)
        ch, c = self.channels, self.channels[-1]
        self.src_stem = ConvNormAct(4, ch[0], 7)
        self.src_downs = _encoder_downs(ch)
        self.ref_encoder = nn.Sequential(ConvNormAct(4 * cfg.num_references, ch[0], 7), *_encoder_downs(ch))
        self.param_encoder = nn.Sequential(
            ConvNormAct(2 * c, c, 3, stride=2),
            ConvNormAct(c, c, 3, stride=2),
            nn.AdaptiveAvgPool2d(1),
        )
        self.adaat = AdaAT(c, c)
        self.merge = nn.Sequential(ConvNormAct(2 * c, c, 3), *(ResBlock(c) for _ in range(cfg.res_blocks)))
        self.ups = nn.ModuleList(UpBlock(ch[i], ch[i - 1], ch[i - 1]) for i in range(len(ch) - 1, 0, -1))
        self.head = nn.Conv2d(ch[0], 3, 7, padding=3)
        self._build_attention(c, ch[-2])
