"""The renderer in the form its exported graph runs fast: same function, fewer and cheaper nodes.

`export_form(renderer)` is an eval copy with two swaps (the original, and training, keep theirs):
- AdaAT's warp as one coordinate MatMul and one gather (`GatherAdaAT`, below);
- each decoder `UpBlock` without its concat (`SplitUpBlock`): conv(concat(a, b)) = conv_a(a) + conv_b(b).

AdaAT's warp: `AdaAT.forward` builds the sampling grid from `linspace`/`meshgrid` and per-channel
broadcasts, and samples it with `grid_sample`. Exported, that is about 45 small ONNX nodes
(Unsqueeze, Cast, Mul ..., each a kernel launch per frame) plus ONNX Runtime's generic GridSample
kernel, together about a quarter of DINet mini's per-frame kernel time in ONNX Runtime's profile.
`GatherAdaAT` computes the same function:

  pixel coordinates  [px, py] = T_c @ [gx, gy, 1]   (T_c: channel c's 2x3 affine, pre-scaled to pixels;
                                                     the [3, h*w] base grid is a constant; one GEMM)
  the 2x2 cell       its top-left corner clamped into the map (0 .. w-2, 0 .. h-2), so every gathered
                     index is valid: one gather of base + (0, 1, w, w + 1) from the plain feature map
  bilinear weights   tent weights max(0, 1 - |p - corner|) per axis: 1 - frac and frac on corners in
                     the map, 0 on corners off it, which is `padding_mode="zeros"`
                     (`align_corners=True` as in AdaAT).

Training keeps `AdaAT`: its backward through `grid_sample` is the tested one.
"""

from __future__ import annotations

import copy
import math

import torch
from torch import nn

from core.lipsync.adaat import AdaAT
from core.lipsync.blocks import UpBlock
from core.lipsync.fold import fold_batchnorm


class GatherAdaAT(nn.Module):
    """`AdaAT` (same parameters, same output to float rounding) with the warp as MatMul + gather."""

    def __init__(self, adaat: AdaAT) -> None:
        super().__init__()
        self.adaat = adaat
        self.channels = adaat.channels

    @staticmethod
    def base_grid(h: int, w: int, like: torch.Tensor) -> torch.Tensor:
        """[3, h*w]: rows gx, gy in [-1, 1] (row-major pixels) and ones."""
        ys = torch.linspace(-1.0, 1.0, h, dtype=torch.float64)
        xs = torch.linspace(-1.0, 1.0, w, dtype=torch.float64)
        gy, gx = torch.meshgrid(ys, xs, indexing="ij")
        grid = torch.stack([gx.reshape(-1), gy.reshape(-1), torch.ones(h * w, dtype=torch.float64)])
        return grid.to(device=like.device, dtype=like.dtype)

    def forward(self, features: torch.Tensor, code: torch.Tensor) -> torch.Tensor:
        b, c, h, w = features.shape
        scale, angle, shift = self.adaat.params(code)  # [B, C], [B, C], [B, C, 2]
        # x' = cos*gx - sin*gy + tx, y' = sin*gx + cos*gy + ty (normalised); pixels: (x' + 1) * (w - 1) / 2.
        # [cos, -sin, sin, cos] as cos(angle + phase): one Cos node instead of Cos, Sin, Neg and a stack
        half = features.new_tensor([(w - 1) / 2, (h - 1) / 2])
        rot = torch.cos(angle[..., None] + features.new_tensor([0.0, math.pi / 2, -math.pi / 2, 0.0]))
        rot = (rot * scale[..., None]).view(b, c, 2, 2) * half[:, None]
        shift = (shift + 1.0) * half  # [B, C, 2]
        rows = torch.cat([rot, shift[..., None]], dim=-1).view(b * c * 2, 3)
        pix = torch.matmul(rows, self.base_grid(h, w, features)).view(b, c, 2, h * w)  # x, y in pixels
        # the top-left corner of a 2x2 cell that lies inside the map, and tent weights to its corners:
        # max(0, 1 - |p - corner|) is bilinear's 1 - frac on a corner in the map and 0 off it (zeros padding)
        limit = features.new_tensor([max(w - 2, 0), max(h - 2, 0)]).view(2, 1)
        lo = torch.minimum(torch.clamp(torch.floor(pix), min=0.0), limit)
        d = pix - lo
        # rows: the near corner's weights (x, y), then the far corner's (x, y)
        t = torch.relu(1.0 - torch.cat([d, d - 1.0], dim=2).abs())
        if w == 1 or h == 1:  # a 1-pixel axis has no far corner: weight 0 (its index stays in the map)
            t = t * features.new_tensor([1.0, 1.0, float(w > 1), float(h > 1)]).view(4, 1)
        # flat index of the cell's corners 00, 01, 10, 11: base + (0, 1, w, w + 1) (steps 0 on a 1-pixel axis)
        base = (lo * features.new_tensor([1.0, float(w)]).view(2, 1)).sum(
            dim=2, keepdim=True
        )  # [B, C, 1, h*w]
        dx, dy = float(w > 1), float(w if h > 1 else 0)
        offsets = features.new_tensor([0.0, dx, dy, dx + dy]).view(4, 1)
        index = (base + offsets).to(torch.int64).view(b, c, 4 * h * w)
        corners = torch.gather(features.reshape(b, c, h * w), 2, index).view(b, c, 4, h * w)
        # weights near_x near_y, far_x near_y, near_x far_y, far_x far_y
        weights = t[:, :, [0, 2, 0, 2]] * t[:, :, [1, 1, 3, 3]]
        return (corners * weights).sum(dim=2).view(b, c, h, w)


def export_form(renderer: nn.Module, split_concat: bool = True) -> nn.Module:
    """An eval copy of `renderer` with its AdaAT (if any) in the gather form; the original is untouched."""
    out = copy.deepcopy(renderer).eval()
    for module in list(out.modules()):
        for child_name, child in list(module.named_children()):
            if isinstance(child, AdaAT):
                setattr(module, child_name, GatherAdaAT(child))
    if split_concat and isinstance(getattr(out, "ups", None), nn.ModuleList):
        # up-stage j (deepest first) upsamples encoder level len - 1 - j (see `channel_plan`)
        levels = out.channels
        for j, block in enumerate(out.ups):
            if isinstance(block, UpBlock):
                out.ups[j] = SplitUpBlock(block, levels[len(levels) - 1 - j])
    return out


class SplitUpBlock(nn.Module):
    """`UpBlock` without its concat: a convolution of concat(a, b) is conv_a(a) + conv_b(b).

    Exported, the concat is a copy of both inputs at the block's (output) resolution; the sum of
    two convolutions is fused by ONNX Runtime into the second one (its NCHWc "sum" input, with the
    activation after it). Batch-norm is folded first. For a separable conv (DINet mini) the depthwise
    part splits by channel: relu(pw_a(relu(dw_a(a))) + pw_b(relu(dw_b(b)))).
    """

    def __init__(self, block: UpBlock, cin: int) -> None:
        super().__init__()
        folded, _ = fold_batchnorm(block.conv)
        self.cin = cin  # channels of the upsampled input; the skip's follow
        convs = [m for m in folded if isinstance(m, nn.Conv2d)]
        self.separable = len(convs) == 2
        if self.separable:
            dw, pw = convs
            self.dw_a, self.dw_b = _split_depthwise(dw, cin)
            self.pw_a, self.pw_b = _split_inputs(pw, cin)
        else:
            (conv,) = convs
            self.pw_a, self.pw_b = _split_inputs(conv, cin)

    def forward(self, x: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        x = nn.functional.interpolate(x, size=skip.shape[-2:], mode="bilinear", align_corners=False)
        if self.separable:
            x, skip = torch.relu(self.dw_a(x)), torch.relu(self.dw_b(skip))
        return torch.relu(self.pw_a(x) + self.pw_b(skip))


def _split_depthwise(conv: nn.Conv2d, first: int) -> tuple[nn.Conv2d, nn.Conv2d]:
    parts = []
    for sl in (slice(0, first), slice(first, conv.in_channels)):
        n = sl.stop - sl.start
        part = nn.Conv2d(
            n, n, conv.kernel_size, conv.stride, conv.padding, groups=n, bias=conv.bias is not None
        )
        part.weight.data.copy_(conv.weight.data[sl])
        if conv.bias is not None:
            part.bias.data.copy_(conv.bias.data[sl])
        parts.append(part.eval())
    return parts[0], parts[1]


def _split_inputs(conv: nn.Conv2d, first: int) -> tuple[nn.Conv2d, nn.Conv2d]:
    """conv(concat(a, b)) = a_part(a) + b_part(b); the bias goes to the second."""
    parts = []
    for sl, bias in ((slice(0, first), False), (slice(first, conv.in_channels), conv.bias is not None)):
        n = sl.stop - sl.start
        part = nn.Conv2d(n, conv.out_channels, conv.kernel_size, conv.stride, conv.padding, bias=bias)
        part.weight.data.copy_(conv.weight.data[:, sl])
        if bias:
            part.bias.data.copy_(conv.bias.data)
        parts.append(part.eval())
    return parts[0], parts[1]
