"""AdaAT's warp in the form an exported graph runs fast: one coordinate MatMul and one gather.

`AdaAT.forward` builds the sampling grid from `linspace`/`meshgrid` and per-channel broadcasts, and
samples it with `grid_sample`. Exported, that is about 45 small ONNX nodes (Unsqueeze, Cast, Mul ...,
each a kernel launch per frame) plus ONNX Runtime's generic GridSample kernel, together about a
quarter of DINet mini's per-frame kernel time in ONNX Runtime's profile. `GatherAdaAT` computes
the same function:

  pixel coordinates  [px, py] = T_c @ [gx, gy, 1]   (T_c: channel c's 2x3 affine, pre-scaled to pixels;
                                                     the [3, h*w] base grid is a constant; one GEMM)
  the 2x2 cell       its top-left corner clamped into the map (0 .. w-2, 0 .. h-2), so every gathered
                     index is valid: one gather of base + (0, 1, w, w + 1) from the plain feature map
  bilinear weights   tent weights max(0, 1 - |p - corner|) per axis: 1 - frac and frac on corners in
                     the map, 0 on corners off it, which is `padding_mode="zeros"`
                     (`align_corners=True` as in AdaAT).

Only for inference export: training keeps `AdaAT` (its backward through `grid_sample` is the tested
one). `export_form` swaps it into a copy of a renderer; the original is untouched.
"""

from __future__ import annotations

import copy
import math

import torch
from torch import nn

from core.lipsync.adaat import AdaAT


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
        near = torch.relu(1.0 - d.abs())
        # a 1-pixel axis has no second corner: its weight is 0 there (the index stays in the map)
        has_next = features.new_tensor([float(w > 1), float(h > 1)]).view(2, 1)
        far = torch.relu(1.0 - (d - 1.0).abs()) * has_next
        # flat index of the cell's corners 00, 01, 10, 11: base + (0, 1, w, w + 1) (steps 0 on a 1-pixel axis)
        base = (lo * features.new_tensor([1.0, float(w)]).view(2, 1)).sum(
            dim=2, keepdim=True
        )  # [B, C, 1, h*w]
        dx, dy = float(w > 1), float(w if h > 1 else 0)
        offsets = features.new_tensor([0.0, dx, dy, dx + dy]).view(4, 1)
        index = (base + offsets).to(torch.int64).view(b, c, 4 * h * w)
        corners = torch.gather(features.reshape(b, c, h * w), 2, index).view(b, c, 4, h * w)
        # weights near_x near_y, far_x near_y, near_x far_y, far_x far_y from rows (near x, y, far x, y)
        t = torch.cat([near, far], dim=2)
        weights = t[:, :, [0, 2, 0, 2]] * t[:, :, [1, 1, 3, 3]]
        return (corners * weights).sum(dim=2).view(b, c, h, w)


def export_form(renderer: nn.Module) -> nn.Module:
    """An eval copy of `renderer` with its AdaAT (if any) in the gather form; the original is untouched."""
    out = copy.deepcopy(renderer).eval()
    for module in list(out.modules()):
        for child_name, child in list(module.named_children()):
            if isinstance(child, AdaAT):
                setattr(module, child_name, GatherAdaAT(child))
    return out
