"""AdaAT's warp in the form an exported graph runs fast: one coordinate MatMul and one gather.

`AdaAT.forward` builds the sampling grid from `linspace`/`meshgrid` and per-channel broadcasts, and
samples it with `grid_sample`. Exported, that is about 45 small ONNX nodes (Unsqueeze, Cast, Mul ...,
each a kernel launch per frame) plus ONNX Runtime's generic GridSample kernel, together about a
quarter of DINet mini's per-frame time in ONNX Runtime. `GatherAdaAT` computes the same function:

  pixel coordinates  [px, py] = T_c @ [gx, gy, 1]   (T_c: channel c's 2x3 affine, pre-scaled to pixels;
                                                     the [3, h*w] base grid is a constant)
  bilinear weights   fx = px - floor(px), fy = py - floor(py)
  the four corners   gathered from the feature map with a one-pixel zero border; corner indices are
                     clamped into that border, so any corner outside the map reads 0, which is
                     `padding_mode="zeros"`; `align_corners=True` as in AdaAT.

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
        rows = torch.cat([rot, shift[..., None]], dim=-1)  # [B, C, 2, 3]
        pix = torch.matmul(rows, self.base_grid(h, w, features))  # [B, C, 2 (x, y), h*w]
        corner = torch.floor(pix)
        frac = pix - corner
        # rows x0, y0, x1, y1, clamped into the one-pixel zero border (columns -1..w, rows -1..h)
        near = torch.cat([corner, corner + 1.0], dim=2)
        limit = features.new_tensor([w, h, w, h]).view(4, 1)
        near = torch.minimum(torch.clamp(near, min=-1.0), limit)
        # flat index into the padded map of corners 00, 01, 10, 11 (exact: small integers)
        stride = float(w + 2)
        mix = features.new_tensor(
            [[1, stride, 0, 0], [0, stride, 1, 0], [1, 0, 0, stride], [0, 0, 1, stride]]
        )
        index = (torch.matmul(mix, near) + (stride + 1.0)).to(torch.int64).reshape(b, c, 4 * h * w)
        padded = nn.functional.pad(features, (1, 1, 1, 1)).reshape(b, c, (h + 2) * (w + 2))
        corners = torch.gather(padded, 2, index).view(b, c, 4, h * w)
        # weights (1-fx)(1-fy), fx(1-fy), (1-fx)fy, fx fy from rows 1-fx, 1-fy, fx, fy
        g = torch.cat([1.0 - frac, frac], dim=2)
        weights = g[:, :, [0, 2, 0, 2]] * g[:, :, [1, 1, 3, 3]]
        return (corners * weights).sum(dim=2).view(b, c, h, w)


def export_form(renderer: nn.Module) -> nn.Module:
    """An eval copy of `renderer` with its AdaAT (if any) in the gather form; the original is untouched."""
    out = copy.deepcopy(renderer).eval()
    for module in list(out.modules()):
        for child_name, child in list(module.named_children()):
            if isinstance(child, AdaAT):
                setattr(module, child_name, GatherAdaAT(child))
    return out
