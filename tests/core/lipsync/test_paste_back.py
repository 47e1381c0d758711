"""Paste-back: exact outside the mouth mask, seamless colour, ping-pong coverage."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from core.face.crops import cut_crop
from core.lipsync.geometry import crop_geometry
from core.lipsync.paste_back import PasteSettings, mouth_alpha, paste_mouth
from core.lipsync.source_loop import ping_pong


def _frame(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (180, 200, 3), dtype=np.uint8)


def test_pixels_outside_the_mouth_mask_are_unchanged() -> None:
    g = crop_geometry(64)
    frame = _frame()
    box = np.array([40.3, 12.7, 40.3 + 80 * 1.1, 12.7 + 104 * 1.1])
    render = np.random.default_rng(1).random((*g.crop_size, 3)).astype(np.float32)
    out, alpha = paste_mouth(frame, render, box, g)
    outside = alpha == 0
    assert outside.any() and (~outside).any()
    np.testing.assert_array_equal(out[outside], frame[outside])
    assert np.abs(out[~outside].astype(int) - frame[~outside]).mean() > 10  # the mouth did change
    # the mask lies inside the mouth box mapped to the frame (plus one pixel of interpolation)
    ys, xs = np.nonzero(alpha)
    sx = (box[2] - box[0]) / g.crop_width
    sy = (box[3] - box[1]) / g.crop_height
    assert xs.min() >= box[0] + g.mouth_left * sx - 1 and xs.max() <= box[0] + (g.mouth_left + 64) * sx + 1
    assert ys.min() >= box[1] + g.mouth_top * sy - 1 and ys.max() <= box[1] + (g.mouth_top + 64) * sy + 1


def test_blending_only_the_masks_box_equals_blending_the_whole_face_box() -> None:
    """The paste blends the mask's bounding box only (live latency); the reference blends every pixel
    of the face box with the frame-space mask, as the paste did before."""
    g = crop_geometry(64)
    frame = _frame(3)
    box = np.array([30.6, 8.2, 30.6 + 80 * 1.37, 8.2 + 104 * 1.37])
    render = np.random.default_rng(4).random((*g.crop_size, 3)).astype(np.float32)
    settings = PasteSettings(color_match=False)
    out, alpha = paste_mouth(frame, render, box, g, settings)
    # reference: the render warped over the whole ROI, blended everywhere
    x0, y0 = int(np.floor(box[0])), int(np.floor(box[1]))
    x1, y1 = int(np.ceil(box[2])) + 1, int(np.ceil(box[3])) + 1
    sx, sy = (box[2] - box[0]) / g.crop_width, (box[3] - box[1]) / g.crop_height
    m = np.array([[sx, 0.0, box[0] - x0], [0.0, sy, box[1] - y0]])
    warped = cv2.warpAffine(
        render[..., ::-1] * 255.0,
        m,
        (x1 - x0, y1 - y0),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )
    a = alpha[y0:y1, x0:x1, None]
    ref = frame.copy()
    blended = frame[y0:y1, x0:x1].astype(np.float32) * (1.0 - a) + warped * a
    ref[y0:y1, x0:x1] = np.clip(np.round(blended), 0, 255).astype(np.uint8)
    np.testing.assert_array_equal(out, ref)
    assert (alpha > 0).sum() < 0.7 * (x1 - x0) * (y1 - y0)  # the box blended is a part of the face box


def test_mask_is_feathered_and_full_in_the_middle() -> None:
    g = crop_geometry(64)
    a = mouth_alpha(g, PasteSettings(feather=0.25))
    top, left, m, _ = g.mouth_box
    assert a[top + m // 2, left + m // 2] == 1.0
    assert a[:top].max() == 0 and a[:, :left].max() == 0
    row = a[top + m // 2, left : left + m // 2]
    assert np.all(np.diff(row) >= 0) and 0 < row[3] < 1  # a smooth ramp, not a step


def test_colour_matching_removes_a_brightness_shift() -> None:
    g = crop_geometry(64)
    frame = np.full((180, 200, 3), 120, np.uint8)
    frame[..., 1] = 90
    box = np.array([30.0, 10.0, 30.0 + 80 * 1.5, 10.0 + 104 * 1.5])
    crop = cut_crop(frame, box, g.crop_size)[..., ::-1].astype(np.float32) / 255.0
    shifted = np.clip(crop * 1.2 + 0.05, 0, 1)
    matched, _ = paste_mouth(frame, shifted, box, g, PasteSettings(color_match=True))
    raw, _ = paste_mouth(frame, shifted, box, g, PasteSettings(color_match=False))
    assert np.abs(matched.astype(int) - frame).max() <= 1
    assert np.abs(raw.astype(int) - frame).max() > 20


def test_ping_pong_loops_forward_and_backward() -> None:
    np.testing.assert_array_equal(ping_pong(4, 10), [0, 1, 2, 3, 2, 1, 0, 1, 2, 3])
    assert ping_pong(1, 3).tolist() == [0, 0, 0]
    idx = ping_pong(7, 100)
    assert idx.min() == 0 and idx.max() == 6 and np.all(np.abs(np.diff(idx)) == 1)


def _oracle_pastes(clip_dir, settings: PasteSettings, tint: float = 0.0, frames: int = 30):
    """Each frame of a prepared clip pasted with its own face crop as the 'render' (a perfect
    renderer, optionally tinted): what is left is what the paste-back itself does."""
    from core.face.prepared import PreparedClip
    from core.lipsync.paste_back import frame_alpha
    from core.lipsync.source_loop import SourceLoop

    loop = SourceLoop.from_clip(PreparedClip.load(clip_dir), max_frames=frames)
    g = crop_geometry(64)
    alpha = mouth_alpha(g, settings)
    out, alphas = [], []
    for frame, box in zip(loop.frames, loop.boxes, strict=True):
        render = cut_crop(frame, box, g.crop_size)[..., ::-1].astype(np.float32) / 255.0
        render = np.clip(render * (1.0 + tint), 0.0, 1.0)
        out.append(paste_mouth(frame, render, box, g, settings, alpha)[0])
        alphas.append(frame_alpha(frame.shape, box, g, alpha=mouth_alpha(g, PasteSettings())))
    return out, list(loop.frames), alphas


def _check_oracle_paste(clip) -> dict[str, dict[str, float]]:
    from core.metrics.paste import paste_fidelity

    good = paste_fidelity(*_oracle_pastes(clip, PasteSettings(), tint=0.12))
    bad = paste_fidelity(*_oracle_pastes(clip, PasteSettings(feather=0.0, color_match=False), tint=0.12))
    assert good["paste_flicker"] < 0.5 and good["paste_color_shift"] < 1.0
    assert 0.9 < good["paste_seam_ratio"] < 1.1 and 0.9 < good["paste_flicker_ratio"] < 1.1
    assert bad["paste_color_shift"] > 5 * max(good["paste_color_shift"], 0.2)
    assert bad["paste_seam_ratio"] > good["paste_seam_ratio"] + 0.05
    assert bad["paste_flicker"] > good["paste_flicker"]
    return {"good": good, "bad": bad}


def test_the_paste_back_of_a_perfect_render_shows_no_flicker_tint_or_seam(tmp_path_factory) -> None:
    """On the synthetic talking head: the feathered, colour-matched paste of an exact mouth that
    the renderer drew 12 % too bright adds under half a level of flicker and tint and keeps the
    band's edges (seam ratio ~1); a hard-edged paste without colour matching is flagged."""
    from tests.core.lipsync.prepared_fixture import build_prepared_clip, tiny_project_root

    _check_oracle_paste(build_prepared_clip(tiny_project_root(tmp_path_factory)))


@pytest.mark.slow  # MediaPipe prepares the 8 s real clip (~30 s)
def test_the_paste_back_on_a_real_clip_shows_no_flicker_tint_or_seam(tmp_path, samples_dir) -> None:
    from core.face.prepare_job import PrepareJob, PrepareSettings
    from core.jobs.collector import CollectingRunner

    out = tmp_path / "a"
    video = samples_dir / "talking_512_25fps_a.mp4"
    result = CollectingRunner().run(PrepareJob(video, out, PrepareSettings(mouth_size=64)))
    assert result.ok, result.error
    figures = _check_oracle_paste(out)
    print("paste-back on", video.name, figures)


def test_kept_band_statistics_give_the_same_paste_as_measuring_the_crop() -> None:
    """The live frame path keeps each loop frame's colour-band statistics; the paste is unchanged."""
    from core.lipsync.paste_back import band_pixels, band_stats

    g = crop_geometry(64)
    frame = _frame(5)
    box = np.array([22.4, 9.9, 22.4 + 80 * 1.6, 9.9 + 104 * 1.6])
    render = np.random.default_rng(6).random((*g.crop_size, 3)).astype(np.float32) * 1.3 - 0.1
    alpha = mouth_alpha(g)
    stats = band_stats(cut_crop(frame, box, g.crop_size), band_pixels(alpha))
    kept, _ = paste_mouth(frame, render, box, g, PasteSettings(), alpha, stats)
    measured, _ = paste_mouth(frame, render, box, g, PasteSettings(), alpha)
    np.testing.assert_array_equal(kept, measured)
    other = band_stats(cut_crop(_frame(7), box, g.crop_size), band_pixels(alpha))
    assert not np.array_equal(paste_mouth(frame, render, box, g, PasteSettings(), alpha, other)[0], kept)
