"""DINet mini: the CPU real-time variant (<= 60 MFLOPs per frame at M = 64 with cached references).

Same skeleton and interface as DINet full, but: a 3x3 stem, depthwise-separable convolutions
everywhere else, width 8 by default, and a lighter parameter encoder. The reference encoder
is not on the per-frame path (its output is cached), so it may stay a little richer.
"""

from __future__ import annotations

from torch import nn

from core.lipsync.adaat import AdaAT
from core.lipsync.blocks import ConvNormAct, ResBlock, SeparableConv, UpBlock
from core.lipsync.config import RendererConfig
from core.lipsync.renderer import LipSyncRenderer


class DINetMini(LipSyncRenderer):
    variant = "mini"

    def __init__(self, cfg: RendererConfig) -> None:
        super().__init__(cfg)
        ch, c = self.channels, self.channels[-1]
        self.src_stem = ConvNormAct(4, ch[0], 3)
        self.src_downs = nn.ModuleList(SeparableConv(ch[i], ch[i + 1], stride=2) for i in range(len(ch) - 1))
        self.ref_encoder = nn.Sequential(
            ConvNormAct(4 * cfg.num_references, ch[0], 3),
            *(SeparableConv(ch[i], ch[i + 1], stride=2) for i in range(len(ch) - 1)),
        )
        self.param_encoder = nn.Sequential(SeparableConv(2 * c, c, stride=2), nn.AdaptiveAvgPool2d(1))
        self.adaat = AdaAT(c, c)
        self.merge = nn.Sequential(
            SeparableConv(2 * c, c), *(ResBlock(c, separable=True) for _ in range(cfg.res_blocks))
        )
        self.ups = nn.ModuleList(
            UpBlock(ch[i], ch[i - 1], ch[i - 1], separable=True) for i in range(len(ch) - 1, 0, -1)
        )
        self.head = nn.Conv2d(ch[0], 3, 3, padding=1)
        self._build_attention(c, ch[-2])
