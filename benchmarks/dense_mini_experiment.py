"""A measured experiment, not a shipped model: DINet mini's skeleton with dense 3x3 convolutions.

Question (issue 18, item 3): does a denser architecture get the renderer within 2x of the FLOP
limit in ONNX Runtime? DINet mini's per-frame FLOPs are mostly depthwise 3x3 and 1x1 convolutions
on 3..128 channels, which read and write a whole activation for a few FLOPs each. `DenseMini` keeps
everything else (3x3 stem and head, AdaAT, skips, bilinear up-sampling, the cached reference
encoder) and replaces every separable convolution by a dense 3x3 one (ConvNormAct / dense
ResBlock / dense UpBlock) at a narrower channel plan, so its FLOPs stay in the same range.
It is exported and run through the same path as the shipped renderer (export form, CPU layout).

    >>> net = DenseMini(RendererConfig(variant="mini", base_channels=4))
"""

from __future__ import annotations

from torch import nn

from core.lipsync.adaat import AdaAT
from core.lipsync.blocks import ConvNormAct, ResBlock, UpBlock
from core.lipsync.config import RendererConfig
from core.lipsync.renderer import LipSyncRenderer


class DenseMini(LipSyncRenderer):
    variant = "mini"

    def __init__(self, cfg: RendererConfig) -> None:
        super().__init__(cfg)
        ch, c = self.channels, self.channels[-1]
        self.src_stem = ConvNormAct(4, ch[0], 3)
        self.src_downs = nn.ModuleList(ConvNormAct(ch[i], ch[i + 1], 3, 2) for i in range(len(ch) - 1))
        self.ref_encoder = nn.Sequential(
            ConvNormAct(4 * cfg.num_references, ch[0], 3),
            *(ConvNormAct(ch[i], ch[i + 1], 3, 2) for i in range(len(ch) - 1)),
        )
        self.param_encoder = nn.Sequential(ConvNormAct(2 * c, c, 3, 2), nn.AdaptiveAvgPool2d(1))
        self.adaat = AdaAT(c, c)
        self.merge = nn.Sequential(ConvNormAct(2 * c, c, 3), *(ResBlock(c) for _ in range(cfg.res_blocks)))
        self.ups = nn.ModuleList(UpBlock(ch[i], ch[i - 1], ch[i - 1]) for i in range(len(ch) - 1, 0, -1))
        self.head = nn.Conv2d(ch[0], 3, 3, padding=1)


# (name, base channels, residual blocks): about mini's FLOPs (width 4) and mini's width (8)
DENSE_CASES: tuple[tuple[str, int, int], ...] = (
    ("dense_w4", 4, 2),
    ("dense_w4_rb1", 4, 1),
    ("dense_w8", 8, 2),
)
