"""Temporal-consistency loss for rendered sequences: penalise flicker the targets do not have.

Every term compares a temporal change of the prediction with the same change of the target,
so identical sequences score 0, a static prediction of a static target scores 0, and a
flickering prediction of a static target scores > 0. Terms (default weights 8 / 6 / 10 / 4):
  frame_difference  |(p_t - p_t-1) - (g_t - g_t-1)|
  flow_warped       the same after warping frame t-1 onto frame t with optical flow measured
                    on the targets (OpenCV Farneback, no gradient), masked where that warp
                    fails on the targets themselves (occlusions)
  mouth_region      frame_difference weighted by the mouth mask
  long_term         |(p_s+k - p_s) - (g_s+k - g_s)| within sliding windows of `window` frames
"""

from __future__ import annotations

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from core.losses.temporal_weights import TemporalWeights

DEFAULT_WEIGHTS = TemporalWeights()


def target_flow(target: torch.Tensor) -> torch.Tensor:
    """Backward flow [B, T-1, H, W, 2] (pixels): frame t at p matches frame t-1 at p + flow.

    target: [B, T, 3, H, W] in [0, 1]. Farneback on 8-bit grey frames.
    """
    b, t = target.shape[:2]
    grey = (target.detach().float().mean(2).clamp(0, 1) * 255).round().to(torch.uint8).cpu().numpy()
    flows = np.zeros((b, t - 1, *grey.shape[-2:], 2), np.float32)
    for i in range(b):
        for k in range(1, t):
            if np.array_equal(grey[i, k], grey[i, k - 1]):
                continue  # no motion: exact zero (Farneback returns a few 0.01 px of noise)
            flows[i, k - 1] = cv2.calcOpticalFlowFarneback(
                grey[i, k], grey[i, k - 1], None, 0.5, 3, 15, 3, 5, 1.2, 0
            )
    return torch.from_numpy(flows).to(target.device, target.dtype)


def warp(images: torch.Tensor, flow: torch.Tensor) -> torch.Tensor:
    """Sample images [N, C, H, W] at p + flow[N, H, W, 2] (bilinear, border clamp)."""
    h, w = images.shape[-2:]
    ys, xs = torch.meshgrid(
        torch.arange(h, device=images.device, dtype=images.dtype),
        torch.arange(w, device=images.device, dtype=images.dtype),
        indexing="ij",
    )
    gx = 2.0 * (xs + flow[..., 0]) / max(w - 1, 1) - 1.0
    gy = 2.0 * (ys + flow[..., 1]) / max(h - 1, 1) - 1.0
    grid = torch.stack([gx, gy], dim=-1)
    return F.grid_sample(images, grid, mode="bilinear", padding_mode="border", align_corners=True)


def _weighted_mean(x: torch.Tensor, w: torch.Tensor | None) -> torch.Tensor:
    if w is None:
        return x.mean()
    w = w.expand_as(x)
    return (x * w).sum() / w.sum().clamp(min=1e-8)


def temporal_losses(
    pred: torch.Tensor,
    target: torch.Tensor,
    mouth_mask: torch.Tensor | None = None,
    weights: TemporalWeights = DEFAULT_WEIGHTS,
    flow: torch.Tensor | None = None,
) -> dict[str, torch.Tensor]:
    """The four terms and their weighted `total` for sequences [B, T, C, H, W] (T >= 2).

    mouth_mask: [1 or B, 1, H, W] in [0, 1]; None uses the whole frame. flow: precomputed
    `target_flow(target)` (e.g. cached by a dataset); computed here when None.
    """
    if pred.shape != target.shape or pred.dim() != 5 or pred.shape[1] < 2:
        raise ValueError(
            f"need matching [B, T>=2, C, H, W] sequences, got {tuple(pred.shape)}, {tuple(target.shape)}"
        )
    b, t, c, h, w = pred.shape
    dp = pred[:, 1:] - pred[:, :-1]
    dg = target[:, 1:] - target[:, :-1]
    frame_diff = (dp - dg).abs()
    mask = None if mouth_mask is None else mouth_mask.to(pred.dtype).unsqueeze(1)  # [B|1, 1, 1, H, W]
    terms = {"frame_difference": frame_diff.mean(), "mouth_region": _weighted_mean(frame_diff, mask)}

    flow = target_flow(target) if flow is None else flow
    flat = flow.reshape(b * (t - 1), h, w, 2)
    wp = warp(pred[:, :-1].reshape(-1, c, h, w), flat).view(b, t - 1, c, h, w)
    with torch.no_grad():
        wg = warp(target[:, :-1].reshape(-1, c, h, w), flat).view(b, t - 1, c, h, w)
        valid = torch.exp(-50.0 * ((target[:, 1:] - wg) ** 2).mean(2, keepdim=True))
    terms["flow_warped"] = _weighted_mean(((pred[:, 1:] - wp) - (target[:, 1:] - wg)).abs(), valid)

    win = min(weights.window, t)
    long_terms = []
    for s in range(t - win + 1):
        for k in range(1, win):
            d = (pred[:, s + k] - pred[:, s]) - (target[:, s + k] - target[:, s])
            long_terms.append(d.abs().mean())
    terms["long_term"] = torch.stack(long_terms).mean()

    terms["total"] = (
        weights.frame_difference * terms["frame_difference"]
        + weights.flow_warped * terms["flow_warped"]
        + weights.mouth_region * terms["mouth_region"]
        + weights.long_term * terms["long_term"]
    )
    return terms
