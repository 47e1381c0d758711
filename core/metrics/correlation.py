"""Pearson correlation of two series (mouth opening predicted vs tracked, and the like), also at a lag."""

from __future__ import annotations

import math

import numpy as np


def pearson(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson r over the entries finite in both; NaN when fewer than 3 or either is constant."""
    a = np.asarray(a, np.float64)
    b = np.asarray(b, np.float64)
    ok = np.isfinite(a) & np.isfinite(b)
    a, b = a[ok], b[ok]
    if a.size < 3 or a.std() < 1e-12 or b.std() < 1e-12:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def lagged_r(pred: np.ndarray, true: np.ndarray, lag: int) -> float:
    """r with the prediction shifted `lag` frames later (pred[t + lag] against true[t])."""
    if lag > 0:
        return pearson(pred[lag:], true[:-lag])
    if lag < 0:
        return pearson(pred[:lag], true[-lag:])
    return pearson(pred, true)


def best_lag(pred: np.ndarray, true: np.ndarray, max_lag: int = 4) -> tuple[int, float]:
    """(lag, r) of the best `lagged_r` within +-max_lag frames; (0, NaN) when r is undefined."""
    lag_r = {lag: lagged_r(pred, true, lag) for lag in range(-max_lag, max_lag + 1)}
    finite = {k: v for k, v in lag_r.items() if math.isfinite(v)}
    if not finite:
        return 0, float("nan")
    best = max(finite, key=lambda k: (finite[k], -abs(k)))
    return int(best), float(finite[best])
