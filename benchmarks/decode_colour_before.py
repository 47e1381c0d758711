"""The colour conversions the fast routes replaced, kept for bench_decode_colour.py only: the
timing baseline of the same run. Not used by the studio.

- HDR / wide gamut: the NumPy tone map (banded, table lookups through np.take) that the fused C
  kernel replaced. It is still core.media.tonemap's fallback where the kernel is not built, so it
  is called there (route="numpy") rather than copied: the baseline is the code that runs.
- SDR BT.709: the whole-frame YCbCr conversion before the banded one (commit 184ba4a).
"""

from __future__ import annotations

import cv2
import numpy as np

from core.media import tonemap
from core.media.colour import FrameColour
from core.media.yuv import upsample_chroma, yuv_to_rgb_affine  # unchanged: shared


def to_sdr_rgb8(
    y: np.ndarray,
    cb: np.ndarray,
    cr: np.ndarray,
    colour: FrameColour,
    rgb: bool = True,
    peak: float | None = None,
    workers: int | None = None,
) -> np.ndarray:
    """The tone map before the fused kernel: core.media.tonemap's NumPy route."""
    return tonemap.to_sdr_rgb8(y, cb, cr, colour, rgb=rgb, peak=peak, workers=workers, route="numpy")


def yuv_to_rgb8(
    y: np.ndarray, cb: np.ndarray, cr: np.ndarray, matrix: str, full_range: bool, bits: int, rgb: bool
) -> np.ndarray:
    """uint8 [H, W, 3] RGB (BGR unless `rgb`) from planes, rounded once."""
    h, w = y.shape
    m = yuv_to_rgb_affine(matrix, full_range, bits) * 255.0
    if not rgb:
        m = m[::-1]
    ycc = cv2.merge([y, upsample_chroma(cb, h, w), upsample_chroma(cr, h, w)])
    out = cv2.transform(ycc, m)  # saturating, rounded to nearest
    if out.dtype != np.uint8:
        out = np.minimum(out, 255).astype(np.uint8)
    return out
