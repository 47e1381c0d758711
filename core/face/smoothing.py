"""Temporal smoothing of landmark tracks: a zero-lag One-Euro filter, plus Gaussian smoothing.

The One-Euro filter (Casiez et al. 2012) lowers jitter when a point is slow and follows it
closely when it is fast. Run causally it still lags; a prepared clip is offline, so the filter runs
forward and backward and the two passes are averaged: the lags cancel and the mouth opening
keeps its timing. Lip points also get a higher cutoff and speed coefficient than the rigid face,
so fast articulations are not flattened.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.face import topology


@dataclass(frozen=True)
class OneEuroSettings:
    """Cutoffs in Hz; `beta` per (face-size / second) of speed, so it does not depend on resolution."""

    min_cutoff: float = 1.5
    beta: float = 4.0
    d_cutoff: float = 1.0
    lip_min_cutoff: float = 6.0
    lip_beta: float = 20.0


def _alpha(cutoff: np.ndarray, fps: float) -> np.ndarray:
    tau = 1.0 / (2 * np.pi * cutoff)
    return 1.0 / (1.0 + tau * fps)


def one_euro(
    x: np.ndarray, fps: float, min_cutoff: np.ndarray, beta: np.ndarray, d_cutoff: float
) -> np.ndarray:
    """Causal One-Euro filter over axis 0 of x [N, ..., P, D]; min_cutoff and beta are per point [P].

    The filter is recursive in time (each step's cutoff depends on the filtered speed so far), so
    it steps over frames; every step works on all points (and any batch axes) at once, in place.
    """
    out = np.empty_like(x)
    if len(x) == 0:
        return out
    a_d = float(_alpha(np.array(d_cutoff), fps))
    prev = x[0].astype(np.float64)
    dprev = np.zeros_like(prev)
    step = np.empty_like(prev)  # x[i] - prev
    work = np.empty_like(prev)
    cutoff = np.empty((*prev.shape[:-1], 1), np.float64)
    # per-point settings laid out like `cutoff` once, so the steps below do not broadcast
    mc = np.ascontiguousarray(np.broadcast_to(np.asarray(min_cutoff, np.float64)[:, None], cutoff.shape))
    b = np.ascontiguousarray(np.broadcast_to(np.asarray(beta, np.float64)[:, None], cutoff.shape))
    coords = [work[..., d : d + 1] for d in range(1, prev.shape[-1])]
    out[0] = prev
    two_pi = 2 * np.pi
    for i in range(1, len(x)):
        np.subtract(x[i], prev, out=step)
        # dprev += a_d * (step * fps - dprev), the smoothed speed
        np.multiply(step, fps, out=work)
        work -= dprev
        work *= a_d
        dprev += work
        # cutoff = min_cutoff + beta * |dprev|; alpha = 1 / (1 + tau * fps), tau = 1 / (2 pi cutoff)
        np.multiply(dprev, dprev, out=work)
        # the sum over the coordinates, added in order: add.reduce's result (the same additions)
        # at a sixth of its cost on a 3-long axis
        np.copyto(cutoff, work[..., :1])
        for coord in coords:
            cutoff += coord
        np.sqrt(cutoff, out=cutoff)
        cutoff *= b
        cutoff += mc
        np.multiply(two_pi, cutoff, out=cutoff)
        np.divide(1.0, cutoff, out=cutoff)
        cutoff *= fps
        cutoff += 1.0
        np.divide(1.0, cutoff, out=cutoff)
        # prev += alpha * step
        step *= cutoff
        prev += step
        out[i] = prev
    return out


def smooth_landmarks(
    landmarks: np.ndarray, valid: np.ndarray, fps: float, settings: OneEuroSettings = OneEuroSettings()
) -> np.ndarray:
    """Zero-lag One-Euro smoothing of landmarks [N, P, 3] (pixels), per run of valid frames.

    Coordinates are divided by the clip's face size first so `beta` works at any resolution.
    The forward and the backward pass run as one batch. Invalid frames are returned unchanged.
    """
    out = landmarks.astype(np.float32)  # a new array
    if not valid.any():
        return out
    from core.face.mouth_metrics import EYE_OUTER_CORNERS, face_size

    scale = float(np.median(face_size(landmarks[:, EYE_OUTER_CORNERS][valid], corners=(0, 1)))) or 1.0
    num_points = landmarks.shape[1]
    lips = np.zeros(num_points, bool)
    lips[topology.region_vertices("lips")] = True
    mc = np.where(lips, settings.lip_min_cutoff, settings.min_cutoff)
    beta = np.where(lips, settings.lip_beta, settings.beta)
    for start, stop in runs(valid):
        seg = landmarks[start:stop].astype(np.float64) / scale
        both = one_euro(np.stack([seg, seg[::-1]], axis=1), fps, mc, beta, settings.d_cutoff)
        fwd, bwd = both[:, 0], both[::-1, 1]
        out[start:stop] = (0.5 * (fwd + bwd) * scale).astype(np.float32)
    return out


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, stop) of each run of True in a 1-D mask."""
    padded = np.concatenate([[False], np.asarray(mask, bool), [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def gaussian_smooth(x: np.ndarray, sigma: float) -> np.ndarray:
    """Zero-phase Gaussian smoothing over axis 0 of x [N, ...] with edge padding (sigma in frames)."""
    if sigma <= 0 or len(x) < 2:
        return x.copy()
    radius = max(1, int(3 * sigma))
    k = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    k /= k.sum()
    pad = [(radius, radius)] + [(0, 0)] * (x.ndim - 1)
    xp = np.pad(x.astype(np.float64), pad, mode="edge")
    out = np.zeros(x.shape, np.float64)
    for j, w in enumerate(k):
        out += w * xp[j : j + len(x)]
    return out


def fill_gaps(x: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Linear interpolation over axis 0 of x [N, ...] across invalid frames (edges hold the nearest).

    The same arithmetic as `np.interp` per column, done for every column at once.
    """
    out = x.astype(np.float64).copy()
    idx = np.flatnonzero(valid)
    if len(idx) == 0 or len(idx) == len(x):
        return out
    missing = np.flatnonzero(~np.asarray(valid, bool))
    pos = np.searchsorted(idx, missing)  # first valid frame after each missing one
    before, after = pos == 0, pos == len(idx)
    out[missing[before]] = out[idx[0]]
    out[missing[after]] = out[idx[-1]]
    inner = ~(before | after)
    frame, right = missing[inner], idx[pos[inner]]
    left = idx[pos[inner] - 1]
    shape = (-1,) + (1,) * (x.ndim - 1)
    slope = (out[right] - out[left]) / (right - left).astype(np.float64).reshape(shape)
    out[frame] = slope * (frame - left).astype(np.float64).reshape(shape) + out[left]
    return out
