"""The Gaussian head avatar in the live engine: the same per-frame path as `dhstudio render`.

`GaussianAvatar` is the live engine's `Avatar` over `render_audio.GaussianFrames` (audio ->
mouth coefficients -> deformed mesh -> bound Gaussians -> render -> paste over the source
frame): output frame j shows source frame `ping_pong(j)` of the avatar's training clip, as the
offline render plays it, so a live session over a file equals `dhstudio render` frame for frame.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch

from core.gaussians.train.render_audio import GaussianFrames
from core.io.claim import ClipReads
from core.jobs.message import Text
from core.lipsync.source_loop import ping_pong
from core.mouth.streaming import MouthStepper
from core.realtime.assembly import LiveParts
from core.realtime.backends import make_audio_backend

if TYPE_CHECKING:
    from core.realtime.job import LiveRequest


class GaussianAvatar:
    """Output frame j = source frame `ping_pong(j)` with the face the coefficients ask for."""

    def __init__(self, frames: GaussianFrames) -> None:
        self.frames = frames
        self.fps = frames.fps
        self.frame_size = frames.frame_size
        self.count = len(frames.frames)

    @property
    def backend(self):
        return self.frames.renderer  # has .name ("torch" rasterizer or "gsplat")

    def source_index(self, j: int) -> int:
        return int(ping_pong(self.count, 1, j)[0])

    def idle_frame(self, j: int) -> np.ndarray:
        return self.frames.frames[self.source_index(j)]

    def render(self, j: int, coeffs: np.ndarray) -> tuple[np.ndarray, dict[str, float]]:
        return self.frames.render(self.source_index(j), coeffs)

    @property
    def feather(self) -> float:
        return self.frames.feather * 10.0

    def set_feather(self, feather: float) -> float:
        """Soften the render's alpha edge: blur sigma = feather / 10 x the crop side (0 .. 0.5)."""
        self.frames.feather = float(np.clip(feather, 0.0, 0.5)) / 10.0
        return self.frames.feather * 10.0


def gaussian_live_parts(
    req: LiveRequest,
    device: torch.device,
    audio_run: Path,
    work: Path,
    reads: ClipReads | None = None,
    warmup: int = 2,
) -> LiveParts:
    """Engine parts for a Gaussian run: the audio stepper on `req.backend`, the avatar on the
    renderer `select_renderer` picks for `device` (the PyTorch rasterizer on a CPU)."""
    from core.realtime import loading

    t0 = time.perf_counter()
    frames = _guarded_frames(req, device, reads)
    audio = loading.load_audio_model(audio_run, frames.fps)
    frames.space = audio.space
    avatar = GaussianAvatar(frames)
    t1 = time.perf_counter()
    parity: list = []
    step = make_audio_backend(req.backend, audio.net, device, work, parity)
    stepper = MouthStepper.for_net(audio.net, audio.norm, audio.fbank, frames.fps, step)
    t2 = time.perf_counter()
    for _ in range(warmup):  # first renders allocate: keep that out of the live latency
        avatar.render(0, np.zeros(audio.net.cfg.k, np.float32))
    step.reset()
    return LiveParts(
        stepper,
        avatar,
        parity,
        {"avatar": t1 - t0, "audio_backend": t2 - t1, "warmup": time.perf_counter() - t2},
    )


def _guarded_frames(req: LiveRequest, device: torch.device, reads: ClipReads | None) -> GaussianFrames:
    from core.realtime.loading import guarded_load

    return guarded_load(
        Text("Gaussian avatar"),
        req.run,
        lambda: GaussianFrames(Path(req.run), None, device, "auto", req.max_loop_frames, reads=reads),
    )
