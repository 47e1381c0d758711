"""Prepare's end-of-clip analysis against the whole-clip computation it replaced
(`_reference.analyse_whole_clip`, float64), on the synthetic demo and the real samples a-d (skipped
when absent). The cheaper analysis rearranges the arithmetic (a row-laid-out One-Euro filter in
float32, Procrustes by one matrix product, closed-form 2-D rotation) and stops PnP at a 1e-8
relative cost change instead of running it to convergence; the stated tolerances are what that
may move, far below what a trainer or a crop can see. Measured (samples a-d and the demo, -s):
landmarks <= 1.2e-4 px (a few float32 steps), mouth opening <= 3.1e-7, mean shape <= 1.3e-5 px,
crop boxes <= 3.1e-5 px, similarity <= 1.1e-7 and residuals <= 2.6e-6 relative, rotations
<= 9.6e-5 degrees, translations <= 1.7e-7 of the depth.
"""

from pathlib import Path

import numpy as np
import pytest

from core.face.prepare_job import PrepareSettings, analyse
from core.face.tracker import FaceTracker
from core.media.decode import iter_frames, probe
from core.synth.talking_head import DemoClipSpec, generate
from tests.core.face._reference import analyse_whole_clip

SAMPLES = Path(__file__).resolve().parents[3].parent / "shared" / "samples"
CLIPS = [
    "talking_512_25fps_a.mp4",
    "talking_700_22fps_b.mp4",
    "talking_590_25fps_c.mp4",
    "talking_720x974_30fps_d.mp4",
]
TOLERANCE = {  # the largest difference allowed, and what it is measured in
    "landmarks": 1e-3,  # px
    "mean_shape": 1e-4,  # px (prepare stores it in float32: ~1e-5 px at 100 px)
    "similarity": 1e-5,  # relative to the entry's size (scale ~0.5-1; shift ~100 px)
    "rotation_deg": 1e-3,
    "translation": 1e-6,  # relative to the depth t_z
    "residual": 1e-5,  # relative
    "crops": 1e-3,  # px
    "opening": 1e-6,  # face sizes
}


def _demo_track():
    frames = generate(DemoClipSpec(size=256, duration=2.4, seed=5)).frames  # 60 frames, BGR
    track, found = np.zeros((len(frames), 478, 3), np.float32), np.zeros(len(frames), bool)
    with FaceTracker() as tracker:
        for i, frame in enumerate(frames):
            lm = tracker.track(frame)
            if lm is not None:
                track[i], found[i] = lm, True
    found[[20, 21]] = False  # a gap to fill and a run split, as prepare sees them
    return track, found, (256, 256)


def _sample_track(name: str):
    src = SAMPLES / name
    if not src.is_file():
        pytest.skip(f"sample clip not found: {src}")
    info = probe(src)
    n = info.output_frames(25.0)
    track, found = np.zeros((n, 478, 3), np.float32), np.zeros(n, bool)
    with FaceTracker() as tracker:
        for i, frame in enumerate(iter_frames(src, 25.0, n)):
            lm = tracker.track(frame)
            if lm is not None:
                track[i], found[i] = lm, True
    return track, found, (info.width - info.width % 2, info.height - info.height % 2)


def _rotation_deg(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The angle of a^T b, from |a - b|_F = 2 sqrt(2) sin(angle / 2) (exact near zero, unlike arccos)."""
    f = np.linalg.norm(a.astype(np.float64) - b.astype(np.float64), axis=(1, 2))
    return np.degrees(2 * np.arcsin(np.minimum(f / (2 * np.sqrt(2)), 1.0)))


def differences(raw: np.ndarray, found: np.ndarray, size: tuple[int, int]) -> dict[str, float]:
    """The largest difference of each prepared array from the whole-clip computation."""
    new = analyse(raw, found, size, PrepareSettings(), Path("clip.mp4"))
    smooth, poses, face, mouth, opening = analyse_whole_clip(raw, found, size, 25.0)
    sim_size = np.maximum(np.abs(poses.similarity), 1.0)
    return {
        "landmarks": float(np.abs(new.landmarks - smooth).max()),
        "mean_shape": float(np.abs(new.poses.mean_shape - poses.mean_shape).max()),
        "similarity": float((np.abs(new.poses.similarity - poses.similarity) / sim_size).max()),
        "rotation_deg": float(_rotation_deg(new.poses.rotation, poses.rotation).max()),
        "translation": float(
            (np.abs(new.poses.translation - poses.translation).max(axis=1) / poses.translation[:, 2]).max()
        ),
        "residual": float(np.nanmax(np.abs(new.poses.residual / poses.residual - 1))),
        "crops": float(max(np.abs(new.face_boxes - face).max(), np.abs(new.mouth_boxes - mouth).max())),
        "opening": float(np.abs(new.opening - opening).max()),
    }


@pytest.mark.parametrize("source", ["demo", *(pytest.param(c, marks=pytest.mark.samples) for c in CLIPS)])
def test_the_analysis_matches_the_whole_clip_computation(source):
    raw, found, size = _demo_track() if source == "demo" else _sample_track(source)
    diff = differences(raw, found, size)
    print(f"{source}: " + ", ".join(f"{k} {v:.1e}" for k, v in diff.items()))
    for key, value in diff.items():
        assert value <= TOLERANCE[key], (key, value)
