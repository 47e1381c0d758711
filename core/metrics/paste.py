"""How visible a paste-back is: flicker, colour shift and seam of the blend band against the source.

A lip-sync output replaces only the mouth box of each source frame, blended in over a feather
band. Inside the box the mouth legitimately differs (new speech); on the band the output should
look like the source: the same colour, no edge, and no change over time that the source does
not have. Over each frame's band (frame-space alpha strictly between ``lo`` and ``hi``), with
``P`` the output frames and ``S`` the source frames they were pasted onto, in 0..255 levels:

- ``paste_flicker``: mean |(P_t - P_t-1) - (S_t - S_t-1)| on the band of both frames, after a
  Gaussian low-pass (sigma 2 px) of every frame: the temporal change the paste adds to the
  source's own (0 for a perfect paste; a colour correction that jumps from frame to frame, or
  a render whose band boils, raises it). The low-pass keeps flicker (a change of brightness or
  colour over an area) and leaves out detail a lower-resolution render cannot carry, which would
  otherwise count as change wherever the face moves;
- ``paste_flicker_ratio``: mean |P_t - P_t-1| / mean |S_t - S_t-1| on the same low-passed pixels
  (1 = the band changes as much as the source did);
- ``paste_color_shift``: the largest per-channel |mean(P_t - S_t)| on the band, averaged over
  frames (a tint or brightness offset that draws the box);
- ``paste_seam_ratio``: mean gradient magnitude of P over the band / that of S, both blurred
  (sigma 2 px) so texture does not hide an edge (a hard or mismatched edge raises it above 1;
  a smeared band lowers it).
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

BAND = (0.02, 0.98)


LOW_PASS_SIGMA = 2.0  # px
# Each frame is measured on the band's bounding box grown by PAD: the low-pass (radius 8 px at
# sigma 2) and the Sobel (1 px) of a band pixel then read the same pixels as over the whole frame,
# so the figures are the same, at the cost of the band's size, not the frame's (a 4K frame: 2 s).
PAD = 10  # px


def _low_pass(image: np.ndarray) -> np.ndarray:
    return cv2.GaussianBlur(np.asarray(image, np.float32), (0, 0), LOW_PASS_SIGMA)


def _gradient(x: np.ndarray) -> np.ndarray:
    """Per-pixel gradient magnitude [H, W] (mean over channels) of a low-passed [H, W, 3] image:
    a seam is a long low-frequency edge, skin texture is not."""
    gx = cv2.Sobel(x, cv2.CV_32F, 1, 0, ksize=3) / 8.0
    gy = cv2.Sobel(x, cv2.CV_32F, 0, 1, ksize=3) / 8.0
    return np.sqrt(gx * gx + gy * gy).mean(axis=-1)


class PasteFidelity:
    """The figures accumulated frame by frame (a render never holds its whole video in memory)."""

    def __init__(self, band: tuple[float, float] = BAND) -> None:
        self.band = band
        self.frames = 0
        self._prev: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._shift = self._grad_p = self._grad_s = 0.0
        self._added = self._change_p = self._change_s = 0.0
        self._count = 0

    def add(self, pasted: np.ndarray, source: np.ndarray, alpha: np.ndarray) -> None:
        """The next output frame [H, W, 3], the source frame it was pasted onto, its alpha [H, W]."""
        lo, hi = self.band
        m = (alpha > lo) & (alpha < hi)
        rows, cols = np.flatnonzero(m.any(axis=1)), np.flatnonzero(m.any(axis=0))
        if not rows.size:
            raise ValueError("a frame has no blend band (alpha never strictly between 0 and 1)")
        h, w = m.shape
        y0, y1 = max(int(rows[0]) - PAD, 0), min(int(rows[-1]) + 1 + PAD, h)
        x0, x1 = max(int(cols[0]) - PAD, 0), min(int(cols[-1]) + 1 + PAD, w)
        m = m[y0:y1, x0:x1]
        p, s = _low_pass(pasted[y0:y1, x0:x1]), _low_pass(source[y0:y1, x0:x1])
        self._shift += float(np.abs((p[m] - s[m]).mean(axis=0)).max())
        self._grad_p += float(_gradient(p)[m].sum())
        self._grad_s += float(_gradient(s)[m].sum())
        if self._prev is not None:
            pp, ps, pm, (py0, px0) = self._prev
            # the two boxes' overlap, where every pixel of both bands lies (none: nothing to add)
            oy0, ox0 = max(y0, py0), max(x0, px0)
            oy1, ox1 = min(y1, py0 + pm.shape[0]), min(x1, px0 + pm.shape[1])
            if oy1 > oy0 and ox1 > ox0:
                here = np.s_[oy0 - y0 : oy1 - y0, ox0 - x0 : ox1 - x0]
                there = np.s_[oy0 - py0 : oy1 - py0, ox0 - px0 : ox1 - px0]
                both = m[here] & pm[there]
                dp = p[here][both] - pp[there][both]
                ds = s[here][both] - ps[there][both]
                self._added += float(np.abs(dp - ds).sum())
                self._change_p += float(np.abs(dp).sum())
                self._change_s += float(np.abs(ds).sum())
                self._count += dp.size
        self._prev = (p, s, m, (y0, x0))
        self.frames += 1

    def result(self) -> dict[str, float]:
        if self.frames < 2:
            raise ValueError("paste fidelity needs at least 2 consecutive frames")
        return {
            "paste_flicker": self._added / max(self._count, 1),
            "paste_flicker_ratio": self._change_p / max(self._change_s, 1e-9),
            "paste_color_shift": self._shift / self.frames,
            "paste_seam_ratio": self._grad_p / max(self._grad_s, 1e-9),
        }


def paste_fidelity(
    pasted: Sequence[np.ndarray],
    source: Sequence[np.ndarray],
    alphas: Sequence[np.ndarray],
    band: tuple[float, float] = BAND,
) -> dict[str, float]:
    """The four figures of the module docstring for consecutive frames [H, W, 3] and alphas [H, W]."""
    if not (len(pasted) == len(source) == len(alphas)):
        raise ValueError("paste_fidelity needs as many outputs as sources and alphas")
    acc = PasteFidelity(band)
    for p, s, a in zip(pasted, source, alphas, strict=True):
        acc.add(p, s, a)
    return acc.result()
