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

    Laid out as `one_euro_rows` needs it (and back): every point of every batch entry in one row
    per coordinate; computed in float64.
    """
    x = np.asarray(x)
    n, *batch, p, d = x.shape
    rows = np.moveaxis(x.astype(np.float64, copy=False), -1, 1).reshape(n, d, -1)  # [N, D, batch * P]
    per_row = (*batch, p)
    mc = np.broadcast_to(np.asarray(min_cutoff, np.float64), per_row).reshape(-1)
    b = np.broadcast_to(np.asarray(beta, np.float64), per_row).reshape(-1)
    out = one_euro_rows(rows, fps, mc, b, d_cutoff).reshape(n, d, *per_row)
    return np.moveaxis(out, 1, -1).astype(x.dtype)


def one_euro_rows(
    x: np.ndarray,
    fps: float,
    min_cutoff: np.ndarray,
    beta: np.ndarray,
    d_cutoff: float,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Causal One-Euro filter over axis 0 of x [N, D, M]: M points of D coordinates, each
    coordinate a contiguous row; min_cutoff and beta per point [M]. Returns [N, D, M] in float32
    for float32 x (about a third faster; within a few float32 steps of the float64 result), float64
    otherwise; in `out` when given (which may be x itself: frame i is read before it is written).

    The filter is recursive in time (each step's cutoff depends on the filtered speed so far), so
    it steps over frames; a step costs about as much per array operation as per element, so each
    works on all points at once, in place, in as few operations as the algebra allows, and only
    the speed's norm (a sum of rows) and the step's scaling (one row over D) cross rows:

        v       <- (1 - a_d) v + (x_i - out_{i-1})          (the speed / (a_d fps))
        alpha   =  2 pi c / (2 pi c + fps),  c = min_cutoff + beta a_d fps |v|
                   (= 1 / (1 + tau fps), tau = 1 / (2 pi c): the filter's smoothing factor)
        out_i   =  out_{i-1} + alpha (x_i - out_{i-1})
    """
    dtype = np.float32 if x.dtype == np.float32 else np.float64
    out = np.empty(x.shape, dtype) if out is None else out
    if len(x) == 0:
        return out
    a_d = float(_alpha(np.array(d_cutoff), fps))
    two_pi = 2 * np.pi
    mc = (two_pi * np.asarray(min_cutoff, np.float64)).astype(dtype)
    b = (two_pi * a_d * fps * np.asarray(beta, np.float64)).astype(dtype)
    keep = 1.0 - a_d
    out[0] = x[0]
    prev = out[0]
    speed = np.zeros_like(prev)
    step = np.empty_like(prev)  # x[i] - out[i - 1]
    work = np.empty_like(prev)
    cutoff, den = np.empty_like(mc), np.empty_like(mc)
    rows = list(work)
    first, second, rest = rows[0], (rows[1:] or [np.zeros_like(mc)])[0], rows[2:]
    for i in range(1, len(x)):
        np.subtract(x[i], prev, out=step)
        speed *= keep
        speed += step
        np.multiply(speed, speed, out=work)
        np.add(first, second, out=cutoff)  # |v|^2, the coordinates added in order
        for row in rest:
            cutoff += row
        np.sqrt(cutoff, out=cutoff)
        cutoff *= b
        cutoff += mc  # 2 pi c
        np.add(cutoff, fps, out=den)
        cutoff /= den  # alpha
        step *= cutoff
        np.add(prev, step, out=out[i])
        prev = out[i]
    return out


def smooth_landmarks(
    landmarks: np.ndarray, valid: np.ndarray, fps: float, settings: OneEuroSettings = OneEuroSettings()
) -> np.ndarray:
    """Zero-lag One-Euro smoothing of landmarks [N, P, 3] (pixels), per run of valid frames.

    Coordinates are divided by the clip's face size first so `beta` works at any resolution.
    The forward and the backward pass run as one batch (one step on twice the points costs less
    than two steps). Invalid frames are returned unchanged.
    """
    out = landmarks.astype(np.float32)  # a new array
    if not valid.any():
        return out
    from core.face.mouth_metrics import EYE_OUTER_CORNERS, face_size

    scale = float(np.median(face_size(landmarks[:, EYE_OUTER_CORNERS][valid], corners=(0, 1)))) or 1.0
    num_points = landmarks.shape[1]
    lips = np.zeros(num_points, bool)
    lips[topology.region_vertices("lips")] = True
    mc = np.tile(np.where(lips, settings.lip_min_cutoff, settings.min_cutoff), 2)
    beta = np.tile(np.where(lips, settings.lip_beta, settings.beta), 2)
    for start, stop in runs(valid):
        seg = np.swapaxes(landmarks[start:stop], 1, 2)  # [L, 3, P]
        # the forward pass, then the backward one; float32 (prepare's landmarks are float32): within
        # 1.2e-4 px of float64 on samples a-d, and the filter's steps cost a third less
        rows = np.empty((stop - start, 3, 2 * num_points), np.float32)
        rows[:, :, :num_points] = seg
        rows[:, :, num_points:] = seg[::-1]
        rows /= scale
        one_euro_rows(rows, fps, mc, beta, settings.d_cutoff, out=rows)  # in place
        smooth = rows[:, :, :num_points]
        smooth += rows[::-1, :, num_points:]
        smooth *= 0.5
        smooth *= scale
        out[start:stop] = np.swapaxes(smooth, 1, 2)
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
