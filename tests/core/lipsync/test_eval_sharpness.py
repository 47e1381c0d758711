"""The evaluation's sharpness figures read against the ideal output: a perfect renderer scores 1."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from core.face.crops import cut_crop
from core.lipsync.evaluate import EvalJob, frame_mouth_box, ideal_outputs
from core.lipsync.geometry import CropGeometry
from core.lipsync.inference import LipSyncFrames
from core.lipsync.paste_back import paste_mouth
from core.lipsync.source_loop import SourceLoop


class _Unused:
    name = "unused"

    def render(self, source: np.ndarray) -> np.ndarray:  # pragma: no cover - never called here
        raise AssertionError("the scores need no renderer")


def _painter(mouth_size: int) -> tuple[LipSyncFrames, list[np.ndarray]]:
    """Textured 420 x 420 frames, a face box ~2.5x the crop (like a 512 px video at mouth 64)."""
    rng = np.random.default_rng(0)
    frames = []
    for _ in range(3):
        noise = rng.integers(0, 256, (105, 105, 3), np.uint8)
        frames.append(cv2.resize(noise, (420, 420), interpolation=cv2.INTER_CUBIC))
    boxes = np.array([[60.3 + i, 40.7, 260.3 + i, 300.7] for i in range(3)], np.float32)
    loop = SourceLoop(np.stack(frames), np.zeros((3, 478, 3), np.float32), 25.0, boxes)
    return LipSyncFrames(loop, CropGeometry(mouth_size), _Unused()), frames


@pytest.mark.parametrize("mouth_size", [64, 128])
def test_a_perfect_renderer_scores_one_and_a_blurred_one_less(mouth_size: int) -> None:
    painter, real = _painter(mouth_size)
    boxes = painter.loop.boxes
    perfect = ideal_outputs(real, boxes, painter)
    scores = EvalJob._image_scores(perfect, real, boxes, painter)
    assert scores["sharpness_ratio"] == pytest.approx(1.0)
    # two bilinear resamplings cost detail even for a perfect render: the raw figure cannot reach 1
    assert 0.2 < scores["sharpness_ceiling"] < 0.95
    assert scores["sharpness_ratio_raw"] == pytest.approx(scores["sharpness_ceiling"])

    g = painter.geometry
    blurred = [
        paste_mouth(f, cv2.GaussianBlur(cut_crop(f, b, g.crop_size), (0, 0), 1.5)[..., ::-1] / 255.0, b, g)[0]
        for f, b in zip(real, boxes, strict=True)
    ]
    soft = EvalJob._image_scores(blurred, real, boxes, painter)
    assert soft["sharpness_ratio"] < 0.7 and soft["sharpness_ratio_frame"] < scores["sharpness_ratio_frame"]
    assert soft["psnr_mouth"] < scores["psnr_mouth"]


def test_frame_mouth_box_is_the_crops_mouth_box_in_frame_pixels() -> None:
    g = CropGeometry(64)  # crop 104 x 80, mouth box rows 32..96, columns 8..72
    rows, cols = frame_mouth_box(np.array([10.0, 20.0, 170.0, 228.0]), g)  # 2x the crop
    assert (rows.start, rows.stop, cols.start, cols.stop) == (84, 212, 26, 154)
