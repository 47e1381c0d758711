"""The embedded demo clip: a drawn talking head whose mouth follows synthetic speech.

Deterministic for a given seed, so tests can check tracking and lip-sync against the
per-frame mouth-opening truth it writes next to the video.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from core.io import atomic
from core.synth.face_drawing import Expression, FacePose, draw_face
from core.synth.speech import SAMPLE_RATE, mouth_opening_truth, synthesize


@dataclass(frozen=True)
class DemoClipSpec:
    size: int = 384  # square frame, 256..512
    fps: int = 25
    duration: float = 8.0  # seconds, 5..10
    seed: int = 7


@dataclass
class DemoClip:
    frames: np.ndarray  # [N, H, W, 3] BGR uint8
    audio: np.ndarray  # [S] float32, 16 kHz mono
    mouth_open: np.ndarray  # [N] truth in [0, 1]
    blink: np.ndarray  # [N]
    spec: DemoClipSpec


def _background(size: int) -> np.ndarray:
    y = np.linspace(0, 1, size, dtype=np.float32)[:, None]
    x = np.linspace(0, 1, size, dtype=np.float32)[None, :]
    b = 150 + 40 * y + 10 * x
    g = 140 + 30 * y
    r = 120 + 20 * y - 10 * x
    return np.clip(np.stack(np.broadcast_arrays(b, g, r), axis=-1), 0, 255).astype(np.uint8)


def _blinks(n: int, fps: int, rng: np.random.Generator) -> np.ndarray:
    out = np.zeros(n)
    t = float(rng.uniform(0.8, 2.0))
    while t * fps < n:
        i = int(t * fps)
        for k, v in enumerate((0.5, 1.0, 0.6, 0.2)):
            if i + k < n:
                out[i + k] = v
        t += float(rng.uniform(2.0, 4.0))
    return out


def generate(spec: DemoClipSpec = DemoClipSpec()) -> DemoClip:
    if not 256 <= spec.size <= 512:
        raise ValueError(f"demo clip size must be 256..512 (got {spec.size})")
    rng = np.random.default_rng(spec.seed)
    audio, syllables = synthesize(spec.duration, seed=spec.seed)
    n = int(round(spec.duration * spec.fps))
    mouth = mouth_opening_truth(syllables, n, spec.fps)
    blink = _blinks(n, spec.fps, rng)
    bg = _background(spec.size)
    t = np.arange(n) / spec.fps
    s = spec.size
    frames = np.empty((n, s, s, 3), np.uint8)
    noise_rng = np.random.default_rng(spec.seed + 1)
    for i in range(n):
        pose = FacePose(
            cx=s * (0.5 + 0.015 * np.sin(2 * np.pi * 0.23 * t[i])),
            cy=s * (0.47 + 0.010 * np.sin(2 * np.pi * 0.17 * t[i] + 0.5)),
            half_width=s * (0.205 + 0.004 * np.sin(2 * np.pi * 0.11 * t[i])),
            angle=0.04 * np.sin(2 * np.pi * 0.13 * t[i]),
        )
        img = draw_face((s, s), pose, Expression(mouth_open=float(mouth[i]), blink=float(blink[i])), bg)
        grain = noise_rng.standard_normal(img.shape, dtype=np.float32) * 2.0
        cv2.add(img, grain, dst=frames[i], dtype=cv2.CV_8U)
    return DemoClip(frames, audio, mouth, blink, spec)


def write(clip: DemoClip, video_path: Path | str, truth_path: Path | str) -> None:
    """Write the mp4 (H.264 + AAC 16 kHz) and the truth JSON next to it."""
    from core.media.mp4_writer import Mp4Writer

    size = clip.spec.size
    with Mp4Writer(video_path, size, size, clip.spec.fps, sample_rate=SAMPLE_RATE, crf=16) as w:
        for frame in clip.frames:
            w.write_frame(frame)
        w.write_audio(clip.audio)
    atomic.write_json(
        truth_path,
        {
            "fps": clip.spec.fps,
            "frame_count": len(clip.frames),
            "size": size,
            "seed": clip.spec.seed,
            "sample_rate": SAMPLE_RATE,
            "mouth_open": [round(float(v), 5) for v in clip.mouth_open],
            "blink": [round(float(v), 3) for v in clip.blink],
        },
    )
