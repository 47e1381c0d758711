"""Small test clips with known colours, written by PyAV (no ffmpeg binary): HDR (HLG, PQ) made
from SDR BT.709 pixels by BT.2408's display-light mapping, SDR clips with other matrices and
ranges, and interlaced clips whose two fields show different images.

The formulas here are written out from the standards on purpose, independently of
core.media.tonemap, so a test compares the decoder with the standards, not with itself.
"""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np

# AVColorPrimaries / AVColorTransferCharacteristic / AVColorSpace / AVColorRange values
TAGS = {
    "hlg": {"color_primaries": 9, "color_trc": 18, "colorspace": 9, "color_range": 1},
    "pq": {"color_primaries": 9, "color_trc": 16, "colorspace": 9, "color_range": 1},
    "bt709": {"color_primaries": 1, "color_trc": 1, "colorspace": 1, "color_range": 1},
    "bt709_full": {"color_primaries": 1, "color_trc": 1, "colorspace": 1, "color_range": 2},
    "bt601": {"color_primaries": 6, "color_trc": 6, "colorspace": 6, "color_range": 1},
    "untagged": {},
}
KR_KB = {"bt601": (0.299, 0.114), "bt709": (0.2126, 0.0722), "bt2020": (0.2627, 0.0593)}
SDR_WHITE = 203.0  # cd/m^2, BT.2408
BT709_TO_BT2020 = np.array(
    [[0.6274, 0.3293, 0.0433], [0.0691, 0.9195, 0.0114], [0.0164, 0.0880, 0.8956]]
)  # BT.2087


def hlg_signal_from_display(nits_rgb: np.ndarray, peak: float = 1000.0) -> np.ndarray:
    """BT.2100 HLG inverse EOTF (system gamma 1.2 at a `peak` cd/m^2 display): display light
    BT.2020 RGB in cd/m^2 -> HLG signal R'G'B'."""
    fd = np.asarray(nits_rgb, np.float64) / peak
    yd = fd @ np.array([0.2627, 0.6780, 0.0593])
    ys = np.power(np.maximum(yd, 1e-12), 1 / 1.2)
    e = fd / np.power(ys, 0.2)[..., None]  # scene light: Fd = Ys^0.2 E
    a, b, c = 0.17883277, 0.28466892, 0.55991073
    e = np.clip(e, 0, 1)
    return np.where(e <= 1 / 12, np.sqrt(3 * e), a * np.log(np.maximum(12 * e - b, 1e-12)) + c)


def pq_signal_from_display(nits_rgb: np.ndarray) -> np.ndarray:
    """BT.2100 PQ inverse EOTF: display light in cd/m^2 -> PQ signal."""
    m1, m2 = 2610 / 16384, 2523 / 4096 * 128
    c1, c2, c3 = 3424 / 4096, 2413 / 4096 * 32, 2392 / 4096 * 32
    y = np.clip(np.asarray(nits_rgb, np.float64) / 10000, 0, 1) ** m1
    return ((c1 + c2 * y) / (1 + c3 * y)) ** m2


def sdr_to_display_2020(rgb8: np.ndarray) -> np.ndarray:
    """BT.2408 display-light mapping of SDR: BT.709 R'G'B' codes (full range 0-255) -> BT.1886
    (gamma 2.4) display light with SDR white at 203 cd/m^2 -> BT.2020 primaries, cd/m^2."""
    lin = (np.asarray(rgb8, np.float64) / 255.0) ** 2.4 * SDR_WHITE
    return lin @ BT709_TO_BT2020.T


def rgb_to_ycbcr(rgb: np.ndarray, matrix: str, bits: int, full: bool = False) -> np.ndarray:
    """R'G'B' [..., 3] in [0, 1] -> integer Y, Cb, Cr codes [..., 3]."""
    kr, kb = KR_KB[matrix]
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    y = kr * r + (1 - kr - kb) * g + kb * b
    cb = (b - y) / (2 * (1 - kb))
    cr = (r - y) / (2 * (1 - kr))
    if full:
        top = (1 << bits) - 1
        codes = np.stack([y * top, cb * top + (1 << (bits - 1)), cr * top + (1 << (bits - 1))], -1)
    else:
        s = 1 << (bits - 8)
        codes = np.stack([16 * s + 219 * s * y, 128 * s + 224 * s * cb, 128 * s + 224 * s * cr], -1)
    return np.clip(np.round(codes), 0, (1 << bits) - 1).astype(np.uint16)


def i420(ycc: np.ndarray) -> np.ndarray:
    """[H, W, 3] codes -> PyAV's 4:2:0 ndarray layout [H * 3 / 2, W] (chroma: mean of each 2x2 block)."""
    h, w, _ = ycc.shape
    c = ycc[..., 1:].astype(np.float64).reshape(h // 2, 2, w // 2, 2, 2).mean((1, 3))
    c = np.round(c).astype(ycc.dtype)
    return np.concatenate([ycc[..., 0].ravel(), c[..., 0].ravel(), c[..., 1].ravel()]).reshape(h * 3 // 2, w)


def write_yuv_clip(
    path: Path,
    frames: list[np.ndarray],
    tags: dict,
    codec: str = "ffv1",
    bits: int = 10,
    rate: int = 25,
    options: dict | None = None,
    interlaced: bool = False,
) -> Path:
    """Encode 4:2:0 frames (each [H * 3 / 2, W] codes, as `i420` gives) with the colour `tags` set
    on the stream and on every frame; `interlaced`: coded as top-field-first interlaced H.264."""
    fmt = "yuv420p10le" if bits == 10 else "yuv420p"
    h, w = frames[0].shape[0] * 2 // 3, frames[0].shape[1]
    with av.open(str(path), "w") as out:
        s = out.add_stream(codec, rate=rate)
        s.width, s.height, s.pix_fmt = w, h, fmt
        for k, v in tags.items():
            setattr(s.codec_context, k, v)
        if interlaced:
            flags = av.codec.context.Flags
            s.codec_context.flags |= flags.interlaced_dct | flags.interlaced_me
            s.codec_context.field_order = 2  # top coded first, top displayed first
            options = {**(options or {}), "x264-params": "tff=1"}
        if options:
            s.options = options
        for planes in frames:
            f = av.VideoFrame.from_ndarray(planes.astype(np.uint16 if bits > 8 else np.uint8), format=fmt)
            for k, v in tags.items():
                setattr(f, k, v)
            for p in s.encode(f):
                out.mux(p)
        for p in s.encode(None):
            out.mux(p)
    return path


def patches(values: list[tuple[int, int, int]], size: int = 16, cols: int = 4) -> np.ndarray:
    """uint8 RGB image of flat `size` x `size` patches, `cols` per row (the rest black)."""
    rows = -(-len(values) // cols)
    img = np.zeros((rows * size, cols * size, 3), np.uint8)
    for i, v in enumerate(values):
        r, c = divmod(i, cols)
        img[r * size : (r + 1) * size, c * size : (c + 1) * size] = v
    return img


def patch_means(img: np.ndarray, n: int, size: int = 16, cols: int = 4, margin: int = 4) -> np.ndarray:
    """[n, 3] mean of each patch's inner part (chroma edges left out)."""
    out = []
    for i in range(n):
        r, c = divmod(i, cols)
        y0, x0 = r * size + margin, c * size + margin
        out.append(img[y0 : y0 + size - 2 * margin, x0 : x0 + size - 2 * margin].reshape(-1, 3).mean(0))
    return np.array(out)
