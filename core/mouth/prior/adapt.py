"""Map the prior's articulatory channels into one user's mouth space, then fold the map into the network.

Two maps, both affine from (open, round, spread, 1) to the K mouth coefficients:
  - `calibrate` uses no audio-video pairs: it regresses the coefficients on the measured lip
    opening and mouth width of the tracked landmarks, sets the channels' units from the clip's
    range (open 0 -> 1 spans the 5th..95th-percentile opening; spread - round -> +-1 width
    deviation) and, given the prior's output over the speaker's audio, matches the two means.
    This is the prior "before any training on the user's clip".
  - `adapt` fits the map by ridge regression on frames where both the prior's output (from the
    clip's audio) and the tracked coefficients are known, pulled towards the calibrated map, so
    four seconds are enough.
  - `adapt_timed` also picks the timing: the prior's output shifted by -2..+2 frames, whichever
    fits the frames best. A recording's sound can be off its picture (the sample clips' best
    shifts are +3, +1 and -3 frames, in both directions, while the synthetic demo's is 0), and
    a speaker's lips lead their sound by their own margin; no fixed shift suits every clip.
`fold` writes the map into the network's last layer and the shift into its lookahead (output[t]
= prior[t + shift] needs `shift` more frames of future audio): the result is an ordinary
`Audio2Mouth` with K outputs, run by the same stepper, exported and loaded like a trained model.
"""

from __future__ import annotations

import copy
import math

import numpy as np
import torch

from core.face.mouth_metrics import mouth_opening, mouth_width
from core.mouth.model import Audio2Mouth
from core.mouth.space import MouthSpace

OPEN_GAIN = 1.0  # open = 1 -> this share of the clip's 5th..95th percentile opening range
WIDTH_SPAN = 1.0  # spread - round = +-1 moves the width this many standard deviations
RIDGE = 0.3  # pull of the calibrated map, relative to the frames' own evidence (per frame count)
SHIFTS = (-2, -1, 0, 1, 2)  # frames `adapt_timed` may move the prior's output (lookahead 2 -> 0..4)


def _design(art: np.ndarray) -> np.ndarray:
    """[N, 3] -> [N, 4] with a bias column."""
    return np.concatenate([np.asarray(art, np.float64), np.ones((len(art), 1))], axis=1)


def calibrate(space: MouthSpace, landmarks: np.ndarray, art: np.ndarray | None = None) -> np.ndarray:
    """Map [4, K] without audio-video pairs: coefficients = [open, round, spread, 1] @ map.

    Directions come from the landmarks (coefficients regressed on opening and width), the scale
    from the clip's opening range. With `art` (the prior's channels over the same speaker's audio,
    in any order) the offset is set so the mean prediction is the mean tracked mouth: the two
    averages need no frame pairing, and it removes the bias a fixed "closed = 5th percentile"
    would leave.
    """
    lm = np.asarray(landmarks, np.float64)
    coeffs = space.encode(lm).astype(np.float64)
    o, w = mouth_opening(lm).astype(np.float64), mouth_width(lm).astype(np.float64)
    ok = np.isfinite(o) & np.isfinite(w) & np.isfinite(coeffs).all(axis=1)
    coeffs, o, w = coeffs[ok], o[ok], w[ok]
    x = np.stack([o, w, np.ones_like(o)], axis=1)
    beta, *_ = np.linalg.lstsq(x, coeffs, rcond=None)  # [3, K]: coefficients from (opening, width)
    o_lo, o_hi = np.percentile(o, 5), np.percentile(o, 95)
    w_mid, w_sd = float(np.median(w)), float(np.std(w))
    # (open, round, spread, 1) -> (opening, width, 1)
    to_ow = np.array(
        [
            [OPEN_GAIN * (o_hi - o_lo), 0.0, 0.0],
            [0.0, -WIDTH_SPAN * w_sd, 0.0],
            [0.0, WIDTH_SPAN * w_sd, 0.0],
            [o_lo, w_mid, 1.0],
        ]
    )
    mapping = to_ow @ beta
    if art is not None and len(art):
        mean_art = np.nanmean(np.asarray(art, np.float64), axis=0)
        mapping[3] += coeffs.mean(axis=0) - _design(mean_art[None])[0] @ mapping
    return mapping


def adapt(art: np.ndarray, coeffs: np.ndarray, prior_map: np.ndarray, ridge: float = RIDGE) -> np.ndarray:
    """Ridge fit [4, K] of coeffs [N, K] on the prior's channels art [N, 3], shrunk towards prior_map."""
    x = _design(art)
    y = np.asarray(coeffs, np.float64)
    ok = np.isfinite(x).all(axis=1) & np.isfinite(y).all(axis=1)
    x, y = x[ok], y[ok]
    lam = ridge * len(x) * np.diag([1.0, 1.0, 1.0, 0.0])
    lam[3, 3] = 1e-6 * len(x)  # the offset follows the data
    return np.linalg.solve(x.T @ x + lam, x.T @ y + lam @ prior_map)


def shifted(art: np.ndarray, shift: int) -> np.ndarray:
    """art[t + shift] for every frame t of a clip [N, C], the first/last frame held at the edges."""
    n = len(art)
    return np.asarray(art)[np.clip(np.arange(n) + int(shift), 0, max(n - 1, 0))]


def adapt_timed(
    space: MouthSpace,
    arts: list[np.ndarray],
    frames: list[np.ndarray],
    landmarks: list[np.ndarray],
    shifts: tuple[int, ...] = SHIFTS,
    ridge: float = RIDGE,
) -> tuple[int, np.ndarray]:
    """(shift, map [4, K]) of the adapted prior that fits the given frames best.

    Per clip: arts [N, 3], the prior's output over the whole clip; frames [M], the fitting frames;
    landmarks [M, 478, 3], those frames' tracked landmarks. Every shift gets its own calibration
    and ridge fit (same number of parameters), and the smallest squared coefficient error wins;
    ties go to the smaller shift (less lookahead).
    """
    if not shifts:
        raise ValueError("adapt_timed needs at least one shift to try")
    lm = np.concatenate(landmarks)
    coeffs = space.encode(lm).astype(np.float64)
    best: tuple[float, int, np.ndarray] = (math.inf, 0, np.zeros(0))
    for shift in sorted(shifts, key=abs):
        art = np.concatenate([shifted(a, shift)[f] for a, f in zip(arts, frames, strict=True)])
        mapping = adapt(art, coeffs, calibrate(space, lm, art), ridge)
        err = float(np.nansum((_design(art) @ mapping - coeffs) ** 2))
        if err < best[0] * (1 - 1e-9):
            best = (err, shift, mapping)
    return best[1], best[2]


def apply_map(art: np.ndarray, mapping: np.ndarray) -> np.ndarray:
    return (_design(art) @ mapping).astype(np.float32)


def fold(net: Audio2Mouth, mapping: np.ndarray, shift: int = 0) -> Audio2Mouth:
    """A copy of the prior net whose output for frame t is prior[t + shift] @ map[:3] + map[3].

    The shift is a change of lookahead: the network's output at step t is attributed to frame
    t - (lookahead + shift), so it must stay within the lookahead the model allows (0..4).
    """
    k = mapping.shape[1]
    lookahead = net.cfg.lookahead + int(shift)
    if not 0 <= lookahead <= 4:
        raise ValueError(f"shift {shift} would make the lookahead {lookahead}; it must stay within 0..4")
    out = Audio2Mouth(net.cfg.model_copy(update={"k": k, "lookahead": lookahead}))
    state = copy.deepcopy(net.state_dict())
    last = f"head.{len(net.head) - 1}"
    w, b = state[f"{last}.weight"].double(), state[f"{last}.bias"].double()  # [3, H], [3]
    s = state["coeff_scale"].double()
    a = torch.from_numpy(np.asarray(mapping, np.float64))  # [4, K]
    state[f"{last}.weight"] = (a[:3].T @ (s[:, None] * w)).float()  # [K, H]
    state[f"{last}.bias"] = (a[:3].T @ (s * b) + a[3]).float()
    state["coeff_scale"] = torch.ones(k)
    out.load_state_dict(state)
    return out.eval()
