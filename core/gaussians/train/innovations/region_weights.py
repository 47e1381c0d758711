"""Region-adaptive loss weights (seed innovation): eyes, mouth and nose errors count more.

The mesh's semantic regions (MediaPipe: :mod:`core.face.topology`; FLAME: its region masks) are
projected into the training image and filled; each pixel's weight is the largest weight of the
regions covering it, 1.0 elsewhere. The photometric loss multiplies its per-pixel L1 and D-SSIM
terms by this map. The region maps are rasterised once per render size for every sample
(:meth:`AvatarData.labels`), so a step only looks its weights up.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from core.gaussians.train.data import AvatarData
from core.gaussians.train.innovations.base import Innovation, StepInput
from core.gaussians.train.masks import (  # noqa: F401  (re-exported: the region helpers' home)
    REGION_GROUPS,
    fill_triangles,
    group_triangles,
    weight_table,
)


def region_triangle_mask(groups: tuple[str, ...], n_triangles: int) -> np.ndarray:
    """[T] bool: MediaPipe triangles that belong to any of ``groups``."""
    mask = np.zeros(n_triangles, dtype=bool)
    for g in groups:
        ids = group_triangles(g)
        mask[ids[ids < n_triangles]] = True
    return mask


def weight_map(
    uv: np.ndarray, triangles: np.ndarray, weights: dict[str, float], height: int, width: int
) -> np.ndarray:
    """Per-pixel loss weights [H, W] float32: max over covering region weights, 1.0 elsewhere."""
    out = np.ones((height, width), np.float32)
    for group, w in weights.items():
        ids = group_triangles(group)
        ids = ids[ids < len(triangles)]
        m = fill_triangles(uv, triangles[ids], height, width)
        out[m] = np.maximum(out[m], w)
    return out


class RegionWeights(Innovation):
    name = "region_weights"

    def setup(self, data: AvatarData, device: torch.device) -> None:
        s = self.section
        self.table = weight_table({"eyes": s.eyes, "mouth": s.mouth, "nose": s.nose}).to(device)

    def pixel_weights(self, inp: StepInput) -> Tensor:
        labels = inp.data.labels(inp.camera.width, inp.camera.height)[inp.sample]
        return self.table[labels.to(inp.device).long()]
