"""The fast colour routes (core.media.yuv's banded cv2.transform, core.media.tonemap's tables)
against the exact float64 definitions in colour_reference: within one 8-bit level on 99.9 % of
the pixels of a face-like frame (smooth colour field with grain), for every route; and the bands
they work in change nothing."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from core.media import tonemap, yuv
from core.media.colour import FrameColour
from tests.core.media import colour_reference as ref
from tests.core.media.colour_clips import (
    hlg_signal_from_display,
    i420,
    pq_signal_from_display,
    rgb_to_ycbcr,
    sdr_to_display_2020,
)

H, W = 90, 160


def _image(h: int = H, w: int = W, seed: int = 0) -> np.ndarray:
    """uint8 RGB: a smooth random colour field with grain, every level from black to white."""
    rng = np.random.default_rng(seed)
    img = cv2.resize(rng.integers(0, 256, (5, 8, 3), dtype=np.uint8), (w, h), interpolation=cv2.INTER_CUBIC)
    return np.clip(img + rng.normal(0, 6, img.shape), 0, 255).astype(np.uint8)


def _planes(stacked: np.ndarray, h: int, w: int, dtype=np.uint16):
    y, c = stacked[:h], stacked[h:].ravel()
    q = (h // 2) * (w // 2)
    return (
        y.astype(dtype),
        c[:q].reshape(h // 2, w // 2).astype(dtype),
        c[q:].reshape(h // 2, w // 2).astype(dtype),
    )


def _assert_close(got: np.ndarray, want: np.ndarray, worst: int) -> None:
    diff = np.abs(got.astype(int) - want.astype(int))
    assert got.shape == want.shape and got.dtype == np.uint8
    assert np.mean(diff > 1) <= 0.001, f"{np.mean(diff > 1):.4%} of values more than a level off"
    assert diff.max() <= worst, diff.max()


@pytest.mark.parametrize(
    ("matrix", "full", "bits"),
    [
        ("bt709", False, 8),
        ("bt709", True, 8),
        ("bt709", False, 10),
        ("bt2020", False, 10),
        ("bt601", True, 8),
    ],
)
def test_sdr_matrix_route_matches_the_exact_conversion(matrix, full, bits):
    planes = i420(rgb_to_ycbcr(_image() / 255.0, matrix, bits, full))
    y, cb, cr = _planes(planes, H, W, np.uint8 if bits == 8 else np.uint16)
    want = ref.sdr_rgb8(y, cb, cr, matrix, full, bits)
    got = yuv.yuv_to_rgb8(y, cb, cr, matrix, full, bits, rgb=True)
    _assert_close(got, want, worst=1)  # cv2.transform's fixed point: a level at most
    np.testing.assert_array_equal(yuv.yuv_to_rgb8(y, cb, cr, matrix, full, bits, rgb=False), got[..., ::-1])


@pytest.mark.parametrize("kind", ["hlg", "pq"])
@pytest.mark.parametrize(
    "brightness", [1.0, 3.0]
)  # SDR levels, and highlights through the knee and the gamut fit
def test_hdr_route_matches_the_exact_tone_map(kind, brightness, tonemap_route):
    nits = sdr_to_display_2020(_image()) * brightness
    signal = hlg_signal_from_display(nits) if kind == "hlg" else pq_signal_from_display(nits)
    y, cb, cr = _planes(i420(rgb_to_ycbcr(signal, "bt2020", 10)), H, W)
    colour = FrameColour("bt2020", False, kind, "bt2020", 10)
    want = ref.mapped_rgb8(y, cb, cr, colour)
    got = tonemap.to_sdr_rgb8(y, cb, cr, colour, route=tonemap_route)
    _assert_close(got, want, worst=6)  # the odd pixel at a table's dark end or the gamut's edge
    bgr = tonemap.to_sdr_rgb8(y, cb, cr, colour, rgb=False, route=tonemap_route)
    np.testing.assert_array_equal(bgr, got[..., ::-1])


def test_pq_with_a_declared_peak_and_p3_sdr_match_the_exact_mapping(tonemap_route):
    nits = sdr_to_display_2020(_image(seed=1)) * 6.0
    y, cb, cr = _planes(i420(rgb_to_ycbcr(pq_signal_from_display(nits), "bt2020", 10)), H, W)
    colour = FrameColour("bt2020", False, "pq", "bt2020", 10)
    _assert_close(
        tonemap.to_sdr_rgb8(y, cb, cr, colour, peak=4000.0, route=tonemap_route),
        ref.mapped_rgb8(y, cb, cr, colour, 4000.0),
        6,
    )
    # SDR with Display P3 primaries (no tone map, a change of primaries)
    y, cb, cr = _planes(i420(rgb_to_ycbcr(_image(seed=2) / 255.0, "bt709", 8)), H, W, np.uint8)
    p3 = FrameColour("bt709", False, "sdr", "p3", 8)
    _assert_close(tonemap.to_sdr_rgb8(y, cb, cr, p3, route=tonemap_route), ref.mapped_rgb8(y, cb, cr, p3), 6)


@pytest.mark.parametrize(("h", "w", "ch", "cw"), [(37, 50, 19, 25), (36, 50, 36, 25), (36, 50, 36, 50)])
def test_odd_sizes_and_other_subsampling_match_the_exact_conversion(h, w, ch, cw, tonemap_route):
    """Odd 4:2:0 (chroma rounded up), 4:2:2 and 4:4:4 planes: chroma repeated over its pixels."""
    rng = np.random.default_rng(5)
    y = rng.integers(16, 236, (h, w)).astype(np.uint8)
    cb, cr = (rng.integers(16, 241, (ch, cw)).astype(np.uint8) for _ in range(2))
    _assert_close(
        yuv.yuv_to_rgb8(y, cb, cr, "bt709", False, 8, True), ref.sdr_rgb8(y, cb, cr, "bt709", False, 8), 1
    )
    y16, cb16, cr16 = (p.astype(np.uint16) * 4 for p in (y, cb, cr))
    colour = FrameColour("bt2020", False, "hlg", "bt2020", 10)
    got = tonemap.to_sdr_rgb8(y16, cb16, cr16, colour, route=tonemap_route)
    _assert_close(got, ref.mapped_rgb8(y16, cb16, cr16, colour), 6)


def test_bands_change_nothing(monkeypatch):
    """Frames are decoded a band of rows at a time: tiny bands (many, with a short last one)
    give the same pixels as one band for the whole frame."""
    nits = sdr_to_display_2020(_image()) * 3.0
    y, cb, cr = _planes(i420(rgb_to_ycbcr(hlg_signal_from_display(nits), "bt2020", 10)), H, W)
    hlg = FrameColour("bt2020", False, "hlg", "bt2020", 10)
    y8, cb8, cr8 = _planes(i420(rgb_to_ycbcr(_image() / 255.0, "bt709", 8)), H, W, np.uint8)
    whole = (
        tonemap.to_sdr_rgb8(y, cb, cr, hlg, route="numpy"),
        yuv.yuv_to_rgb8(y8, cb8, cr8, "bt709", False, 8, True),
    )
    monkeypatch.setattr(tonemap, "_BAND_PIXELS", 7 * W)
    monkeypatch.setattr(yuv, "BAND_PIXELS", 5 * W)
    banded = (
        tonemap.to_sdr_rgb8(y, cb, cr, hlg, route="numpy"),
        yuv.yuv_to_rgb8(y8, cb8, cr8, "bt709", False, 8, True),
    )
    for a, b in zip(whole, banded, strict=True):
        np.testing.assert_array_equal(a, b)


def test_writer_conversion_matches_the_exact_bt709_planes():
    """RGB -> limited-range BT.709 I420: luma rounded once, chroma the mean of each 2x2 block of
    rounded chroma codes (what the decoder's BT.709 route reads back)."""
    rgb = _image()
    got = yuv.bgr8_to_i420(np.ascontiguousarray(rgb[..., ::-1]), "bt709")
    kr, kb = 0.2126, 0.0722
    x = rgb / 255.0
    luma = kr * x[..., 0] + (1 - kr - kb) * x[..., 1] + kb * x[..., 2]
    codes = np.stack(
        [
            16 + 219 * luma,
            128 + 224 * (x[..., 2] - luma) / (2 - 2 * kb),
            128 + 224 * (x[..., 0] - luma) / (2 - 2 * kr),
        ],
        -1,
    )
    codes = np.clip(np.round(codes), 0, 255)
    chroma = np.floor(codes[..., 1:].reshape(H // 2, 2, W // 2, 2, 2).mean((1, 3)) + 0.5)
    want = np.concatenate([codes[..., 0].ravel(), chroma[..., 0].ravel(), chroma[..., 1].ravel()])
    _assert_close(got.ravel(), want.astype(np.uint8), worst=1)


def hdr_planes(kind: str, padding: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, FrameColour]:
    """A 96x200 HLG or PQ frame's 10-bit planes (rows padded by `padding` values, as PyAV gives them)."""
    h, w = 96, 200
    nits = sdr_to_display_2020(_image(h, w, seed=3)) * 4.0
    signal = hlg_signal_from_display(nits) if kind == "hlg" else pq_signal_from_display(nits)
    planes = _planes(i420(rgb_to_ycbcr(signal, "bt2020", 10)), h, w)
    padded = [np.zeros((p.shape[0], p.shape[1] + padding), np.uint16) for p in planes]
    for buf, p in zip(padded, planes, strict=True):
        buf[:, : p.shape[1]] = p
    y, cb, cr = (buf[:, : p.shape[1]] for buf, p in zip(padded, planes, strict=True))
    return y, cb, cr, FrameColour("bt2020", False, kind, "bt2020", 10)


def assert_kernel_matches_numpy(
    y: np.ndarray, cb: np.ndarray, cr: np.ndarray, colour: FrameColour
) -> np.ndarray:
    """The kernel's frame is within a level of the NumPy route's but for the odd gamut-edge pixel,
    and no further from the exact mapping; returns the kernel's frame."""
    fast = tonemap.to_sdr_rgb8(y, cb, cr, colour, route="native", workers=1)
    slow = tonemap.to_sdr_rgb8(y, cb, cr, colour, route="numpy", workers=1)
    _assert_close(fast, slow, worst=6)
    want = ref.mapped_rgb8(y, cb, cr, colour).astype(int)
    assert np.abs(fast - want).mean() <= np.abs(slow - want).mean()
    return fast


@pytest.mark.parametrize("kind", ["hlg", "pq"])
def test_native_kernel_agrees_with_the_numpy_route(kind, native_kernel):
    """The fused kernel and the NumPy route use the same tables: within a level but for the odd
    pixel at the gamut's edge (the NumPy route leaves components within its slack to the clamp;
    the kernel fits them exactly, as the reference does), on planes with padded rows (as PyAV
    gives them) and on parts converted on threads."""
    y, cb, cr, colour = hdr_planes(kind, padding=24)
    fast = assert_kernel_matches_numpy(y, cb, cr, colour)
    np.testing.assert_array_equal(tonemap.to_sdr_rgb8(y, cb, cr, colour, route="native", workers=3), fast)


def test_missing_kernel_names_the_build_command_and_numpy_takes_over(tmp_path, monkeypatch):
    """Without a build the loader says what to run; the default route is then NumPy's, and asking
    for the kernel says why it cannot."""
    from core.media import native

    missing = native.load(tmp_path)
    assert not missing.ok and native.BUILD_COMMAND in missing.detail and str(tmp_path) in missing.detail
    nits = sdr_to_display_2020(_image()) * 3.0
    y, cb, cr = _planes(i420(rgb_to_ycbcr(hlg_signal_from_display(nits), "bt2020", 10)), H, W)
    hlg = FrameColour("bt2020", False, "hlg", "bt2020", 10)
    monkeypatch.setattr(native, "status", lambda: missing)
    np.testing.assert_array_equal(
        tonemap.to_sdr_rgb8(y, cb, cr, hlg), tonemap.to_sdr_rgb8(y, cb, cr, hlg, route="numpy")
    )
    with pytest.raises(RuntimeError, match="build_native"):
        tonemap.to_sdr_rgb8(y, cb, cr, hlg, route="native")
    with pytest.raises(ValueError, match="native, numpy"):
        tonemap.to_sdr_rgb8(y, cb, cr, hlg, route="gpu")
