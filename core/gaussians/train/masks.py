"""Per-sample label maps rasterised once: the face mask and the semantic regions, as bits of a uint8.

A training step needs, for its sample, the face mask (everything outside is set to the
background) and, with region weights, which pixels are eyes, mouth or nose. Rasterising the mesh
on the CPU every step is slow, so :func:`label_maps` does every sample at once for a render size
and :class:`~core.gaussians.train.data.AvatarData` keeps the result (one uint8 [S, H, W] per size,
shared by every configuration trained on the same data). Bit 0 is the face mask (the filled mesh,
dilated by 2% of the image size); bits 1.. are the region groups of :data:`GROUP_BITS`. A region
weight map is then a lookup, ``table[labels]``, with the table built once from the weights.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
import torch
from torch import Tensor

from core.face import topology

FACE_BIT = 1
GROUP_BITS: dict[str, int] = {"eyes": 2, "mouth": 4, "nose": 8}
FACE_DILATE = 0.02  # x the larger image side

# MediaPipe mesh: group name -> topology region names
# (their triangle ids index triangles(fill_holes=True, irises=True))
REGION_GROUPS: dict[str, tuple[str, ...]] = {
    "eyes": ("left_eye", "right_eye", "left_iris", "right_iris"),
    "mouth": ("lips", "mouth_interior"),
    "nose": ("nose",),
}


def group_triangles(group: str) -> np.ndarray:
    """Sorted MediaPipe triangle ids [K] of a region group ('eyes', 'mouth', 'nose')."""
    if group not in REGION_GROUPS:
        raise KeyError(f"unknown region group {group!r}; known: {', '.join(REGION_GROUPS)}")
    return np.unique(np.concatenate([topology.region_triangles(r) for r in REGION_GROUPS[group]]))


def mediapipe_regions(n_triangles: int) -> dict[str, np.ndarray]:
    """Region group -> triangle ids of the MediaPipe mesh (ids beyond ``n_triangles`` dropped)."""
    out = {}
    for g in REGION_GROUPS:
        ids = group_triangles(g)
        out[g] = ids[ids < n_triangles]
    return out


def fill_triangles(uv: np.ndarray, triangles: np.ndarray, height: int, width: int) -> np.ndarray:
    """[H, W] bool mask of the given triangles [K, 3] with vertices ``uv`` [V, 2] in pixels."""
    mask = np.zeros((height, width), np.uint8)
    if len(triangles):
        # pixel centres sit at +0.5; 4 bits of sub-pixel precision
        pts = np.round((uv[triangles] - 0.5) * 16.0).astype(np.int32)
        cv2.fillPoly(mask, list(pts), 1, lineType=cv2.LINE_8, shift=4)
    return mask.astype(bool)


def face_mask(
    uv: np.ndarray, faces: np.ndarray, height: int, width: int, dilate: float = FACE_DILATE
) -> np.ndarray:
    """[H, W] bool: the filled mesh, dilated by ``dilate`` x image size (what the Gaussians model)."""
    m = fill_triangles(uv, faces, height, width)
    r = int(round(dilate * max(width, height)))
    if r > 0:
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1,) * 2)
        m = cv2.dilate(m.astype(np.uint8), kernel) > 0
    return m


def label_map(
    uv: np.ndarray, faces: np.ndarray, regions: dict[str, np.ndarray], height: int, width: int
) -> np.ndarray:
    """[H, W] uint8: :data:`FACE_BIT` where the face mask is, plus each region group's bit."""
    out = face_mask(uv, faces, height, width).astype(np.uint8) * FACE_BIT
    for group, ids in regions.items():
        out[fill_triangles(uv, faces[ids], height, width)] |= GROUP_BITS[group]
    return out


def label_maps(
    n_samples: int,
    uv_of: Callable[[int], np.ndarray],
    faces: np.ndarray,
    regions: dict[str, np.ndarray],
    height: int,
    width: int,
) -> Tensor:
    """[S, H, W] uint8 label maps of every sample (``uv_of(i)``: its projected vertices [V, 2])."""
    maps = [label_map(uv_of(i), faces, regions, height, width) for i in range(n_samples)]
    return torch.from_numpy(np.stack(maps)) if maps else torch.zeros(0, height, width, dtype=torch.uint8)


def weight_table(weights: dict[str, float]) -> Tensor:
    """[2^bits] float32: the loss weight of every label value (max over its groups, 1.0 elsewhere)."""
    size = 2 * max(GROUP_BITS.values())
    table = torch.ones(size)
    for value in range(size):
        for group, w in weights.items():
            if value & GROUP_BITS[group]:
                table[value] = max(float(table[value]), w)
    return table
