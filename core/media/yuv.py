"""YCbCr <-> RGB with the stream's own matrix and range, rounded correctly.

swscale's default conversion (what PyAV's `to_ndarray(format="rgb24")` runs) loses 1-3 levels per
channel and OpenCV's YUV conversions know only BT.601 limited range; here each conversion is one
`cv2.transform` with the 3x4 matrix built from (Kr, Kb), the range and the bit depth, which rounds
once, at the end (OpenCV's fixed point: a level off on ~3 % of 8-bit values). Chroma is upsampled
by repetition, as OpenCV's I420 conversion does (for BT.601 limited-range 8-bit both agree within
one level: OpenCV rounds its coefficients to fixed point, and core.media.convert keeps OpenCV's
conversion for that case), and downsampled by 2x2 averages. Frames go a band of rows at a time
through scratch that stays in the CPU cache: whole-frame temporaries (upsampled chroma, merged
planes) cost more than the arithmetic.

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


BAND_PIXELS = 1 << 17  # pixels per band: a band's scratch stays in the CPU cache between passes


def yuv_to_rgb8(
    y: np.ndarray, cb: np.ndarray, cr: np.ndarray, matrix: str, full_range: bool, bits: int, rgb: bool
) -> np.ndarray:
    """uint8 [H, W, 3] RGB (BGR unless `rgb`) from planes, rounded once.

    A band of rows at a time (:class:`YccBands`: chroma repeated, merged with luma) and one
    `cv2.transform` per band; whole-frame temporaries cost more than the arithmetic."""
    h, w = y.shape
    m = yuv_to_rgb_affine(matrix, full_range, bits) * 255.0
    if not rgb:
        m = m[::-1]
    out = np.empty((h, w, 3), np.uint8)
    bands = YccBands(y, cb, cr)
    for y0, y1, ycc in bands:
        _transform_to_u8(ycc, m, out[y0:y1])
    return out


class YccBands:
    """Iterate (y0, y1, ycc): the frame's Y'CbCr at luma resolution, interleaved [rows, W, 3],
    a band of about BAND_PIXELS at a time, in one reused scratch buffer (valid until the next
    step). Chroma is repeated over the pixels it covers: for 4:2:0, 4:2:2 and 4:4:4 by merging
    each chroma row with itself (OpenCV's interleaving is vectorised, its nearest resize is
    not); any other layout is resized whole, once."""

    def __init__(self, y: np.ndarray, cb: np.ndarray, cr: np.ndarray, band_pixels: int = 0) -> None:
        self.y, self.cb, self.cr = y, cb, cr
        h, w = y.shape
        ch, cw = cb.shape
        self.sx = w // cw if cw and cw * (w // cw) == w and w // cw in (1, 2) else 0
        self.sy = h // ch if ch and ch * (h // ch) == h and h // ch in (1, 2) else 0
        if not (self.sx and self.sy):  # odd sizes, other subsampling: repeat by resizing, whole
            self.sx = self.sy = 1
            self.cb, self.cr = upsample_chroma(cb, h, w), upsample_chroma(cr, h, w)
        rows = max(1, (band_pixels or BAND_PIXELS) // max(w, 1))
        self.rows = rows + (-rows) % self.sy
        self._ycc = np.empty((min(self.rows, h), w, 3), y.dtype)
        self._u = np.empty((self.rows // self.sy, w), y.dtype) if self.sx == 2 else None
        self._v = np.empty_like(self._u) if self.sx == 2 else None

    def __iter__(self):
        h, _ = self.y.shape
        for y0 in range(0, h, self.rows):
            y1 = min(y0 + self.rows, h)
            yield y0, y1, self.band(y0, y1)

    def band(self, y0: int, y1: int) -> np.ndarray:
        """Rows [y0, y1) (a whole number of chroma rows) in the scratch buffer."""
        sy = self.sy
        c0, c1 = y0 // sy, y1 // sy
        cb, cr = self.cb[c0:c1], self.cr[c0:c1]
        if self.sx == 2:
            u, v = self._u[: c1 - c0], self._v[: c1 - c0]
            cv2.merge([cb, cb], dst=u.reshape(c1 - c0, -1, 2))
            cv2.merge([cr, cr], dst=v.reshape(c1 - c0, -1, 2))
            cb, cr = u, v
        ycc = self._ycc[: y1 - y0]
        for i in range(sy):
            cv2.merge([self.y[y0 + i : y1 : sy], cb, cr], dst=ycc[i::sy])
        return ycc


def _transform_to_u8(ycc: np.ndarray, m: np.ndarray, out: np.ndarray) -> None:
    if ycc.dtype == np.uint8:
        cv2.transform(ycc, m, dst=out)  # saturating, rounded to nearest
    else:
        np.minimum(cv2.transform(ycc, m), 255, out=out, casting="unsafe")


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
