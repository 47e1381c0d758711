"""Region-adaptive loss weights (seed innovation): eyes, mouth and nose errors count more.

The mesh's semantic regions (from :mod:`core.face.topology`) are projected into the training
image and filled; each pixel's weight is the largest weight of the regions covering it, 1.0
elsewhere. The photometric loss multiplies its per-pixel L1 and D-SSIM terms by this map.
"""

from __future__ import annotations

import cv2
import numpy as np
import torch
from torch import Tensor

from core.face import topology

# group name -> topology region names (triangle ids into triangles(fill_holes=True, irises=True))
REGION_GROUPS: dict[str, tuple[str, ...]] = {
    "eyes": ("left_eye", "right_eye", "left_iris", "right_iris"),
    "mouth": ("lips", "mouth_interior"),
    "nose": ("nose",),
}


def group_triangles(group: str) -> np.ndarray:
    """Sorted triangle ids [K] of a region group ('eyes', 'mouth', 'nose')."""
    if group not in REGION_GROUPS:
        raise KeyError(f"unknown region group {group!r}; known: {', '.join(REGION_GROUPS)}")
    return np.unique(np.concatenate([topology.region_triangles(r) for r in REGION_GROUPS[group]]))


def region_triangle_mask(groups: tuple[str, ...], n_triangles: int) -> np.ndarray:
    """[T] bool: triangles that belong to any of ``groups``."""
    mask = np.zeros(n_triangles, dtype=bool)
    for g in groups:
        ids = group_triangles(g)
        mask[ids[ids < n_triangles]] = True
    return mask


def fill_triangles(uv: np.ndarray, triangles: np.ndarray, height: int, width: int) -> np.ndarray:
    """[H, W] bool mask of the given triangles [K, 3] with vertices ``uv`` [V, 2] in pixels."""
    mask = np.zeros((height, width), np.uint8)
    if len(triangles):
        # pixel centres sit at +0.5; 4 bits of sub-pixel precision
        pts = np.round((uv[triangles] - 0.5) * 16.0).astype(np.int32)
        cv2.fillPoly(mask, list(pts), 1, lineType=cv2.LINE_8, shift=4)
    return mask.astype(bool)


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


def weight_tensor(
    uv: np.ndarray,
    triangles: np.ndarray,
    weights: dict[str, float],
    height: int,
    width: int,
    device: torch.device,
) -> Tensor:
    return torch.from_numpy(weight_map(uv, triangles, weights, height, width)).to(device)
