"""YCbCr <-> RGB with the stream's own matrix and range, rounded correctly.

swscale's default conversion (what PyAV's `to_ndarray(format="rgb24")` runs) loses 1-3 levels per
channel and OpenCV's YUV conversions know only BT.601 limited range; here each conversion is one
`cv2.transform` with the 3x4 matrix built from (Kr, Kb), the range and the bit depth, which rounds
once, at the end. Chroma is upsampled by repetition, as OpenCV's I420 conversion does (for BT.601
limited-range 8-bit both agree within one level: OpenCV rounds its coefficients to fixed point,
and core.media.convert keeps OpenCV's conversion for that case), and downsampled by 2x2 averages.

    Y' = Kr R' + Kg G' + Kb B',  Cb = (B' - Y') / (2 (1 - Kb)),  Cr = (R' - Y') / (2 (1 - Kr))
    limited range: Y = 16 s + 219 s Y',  C = 128 s + 224 s C   (s = 2^(bits - 8))
    full range:    Y = (2^bits - 1) Y',   C = 2^(bits - 1) + (2^bits - 1) C
"""

from __future__ import annotations

import cv2
import numpy as np

from core.media.colour import MATRICES


def planes(frame) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Y, Cb, Cr of a planar YUV PyAV frame, each at its own size (uint8, or uint16 above 8 bits);
    None for any other layout (RGB, semi-planar, alpha)."""
    fmt = frame.format
    name = fmt.name
    if not name.startswith("yuv") or name.startswith("yuva") or len(frame.planes) != 3 or fmt.is_big_endian:
        return None
    dtype = np.uint8 if fmt.components[0].bits <= 8 else np.uint16
    out = []
    for p in frame.planes:
        row = p.line_size // np.dtype(dtype).itemsize
        out.append(np.frombuffer(p, dtype).reshape(-1, row)[: p.height, : p.width])
    return out[0], out[1], out[2]


def upsample_chroma(c: np.ndarray, height: int, width: int) -> np.ndarray:
    """A chroma plane at luma size, each sample repeated over the pixels it covers."""
    if c.shape == (height, width):
        return c
    return cv2.resize(c, (width, height), interpolation=cv2.INTER_NEAREST)


def yuv_to_rgb_affine(matrix: str, full_range: bool, bits: int) -> np.ndarray:
    """[3, 4]: (Y, Cb, Cr, 1) code values -> R'G'B' in [0, 1]."""
    kr, kb = MATRICES[matrix]
    kg = 1.0 - kr - kb
    a = np.array(
        [
            [1.0, 0.0, 2 * (1 - kr)],
            [1.0, -2 * kb * (1 - kb) / kg, -2 * kr * (1 - kr) / kg],
            [1.0, 2 * (1 - kb), 0.0],
        ]
    )
    s = float(1 << (bits - 8))
    if full_range:
        top = float((1 << bits) - 1)
        half = float(1 << (bits - 1))
        scale = np.array([1 / top] * 3)
        offset = np.array([0.0, -half / top, -half / top])
    else:
        scale = np.array([1 / (219 * s), 1 / (224 * s), 1 / (224 * s)])
        offset = np.array([-16 / 219, -128 / 224, -128 / 224])
    m = a * scale[None, :]
    return np.concatenate([m, (a @ offset)[:, None]], axis=1)


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


def bgr8_to_i420(frame_bgr: np.ndarray, matrix: str = "bt709") -> np.ndarray:
    """Limited-range 8-bit I420 planes stacked as [H * 3 / 2, W] (PyAV's "yuv420p" ndarray layout)
    from an even-sized BGR uint8 image; chroma is the mean of each 2x2 block."""
    h, w = frame_bgr.shape[:2]
    inv = np.linalg.inv(yuv_to_rgb_affine(matrix, False, 8)[:, :3] * 255.0)  # R'G'B' 0-255 -> codes - 16/128
    fwd = np.concatenate([inv[:, ::-1], np.array([[16.0], [128.0], [128.0]])], axis=1)  # BGR in
    y, cb, cr = cv2.split(cv2.transform(frame_bgr, fwd))
    half = (w // 2, h // 2)
    cb = cv2.resize(cb, half, interpolation=cv2.INTER_AREA)
    cr = cv2.resize(cr, half, interpolation=cv2.INTER_AREA)
    return np.concatenate([y.ravel(), cb.ravel(), cr.ravel()]).reshape(h * 3 // 2, w)
