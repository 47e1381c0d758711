"""Training previews: the sample grid (source | driving map | output | target) and attention overlays."""

from __future__ import annotations

import cv2
import numpy as np
import torch

# What each column of `sample_grid` shows, left to right; sent with the grid (Preview.columns), so a
# view labels the columns as they are made here.
SAMPLE_GRID_COLUMNS = ("masked source", "mouth shape map", "output", "target")


def to_rgb8(image: torch.Tensor) -> np.ndarray:
    """[C, H, W] in [0, 1] (C = 1 or 3) -> uint8 [H, W, 3]."""
    x = image.detach().float().clamp(0, 1).cpu()
    if x.shape[0] == 1:
        x = x.expand(3, -1, -1)
    return (x.permute(1, 2, 0).numpy() * 255 + 0.5).astype(np.uint8)


def sample_grid(
    source: torch.Tensor, output: torch.Tensor, target: torch.Tensor, rows: int = 4
) -> np.ndarray:
    """RGB uint8 grid, one row per sample, one equal-width cell per SAMPLE_GRID_COLUMNS entry.

    source [B, 4, H, W], output / target [B, 3, H, W].
    """
    n = min(rows, source.shape[0])
    lines = []
    for i in range(n):
        cells = [to_rgb8(source[i, :3]), to_rgb8(source[i, 3:4]), to_rgb8(output[i]), to_rgb8(target[i])]
        lines.append(np.concatenate(cells, axis=1))
    return np.ascontiguousarray(np.concatenate(lines, axis=0))


def attention_overlay(image: torch.Tensor, maps: dict[str, torch.Tensor]) -> np.ndarray:
    """One row: each attention map [1, H, W] in [0, 1] as a heat map blended over `image` [3, H, W]."""
    base = to_rgb8(image)
    cells = []
    for _, m in sorted(maps.items()):
        heat = (m.detach().float().clamp(0, 1).cpu().numpy()[0] * 255).astype(np.uint8)
        color = cv2.applyColorMap(heat, cv2.COLORMAP_JET)[..., ::-1]
        cells.append(cv2.addWeighted(base, 0.5, np.ascontiguousarray(color), 0.5, 0.0))
    return np.ascontiguousarray(np.concatenate(cells or [base], axis=1))
