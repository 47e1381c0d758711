"""Wire trained pieces into a live engine: one function from models + source loop to engine parts.

Keeps `dhstudio live`, the GUI and the tests on one path: they differ only in where the
models come from (run folders, or tiny untrained models in tests) and which sinks they add.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn

from core.audio.fbank import FbankConfig
from core.audio.normalization import NormStats
from core.export.onnx_fp32 import Parity
from core.lipsync.crop_backends import make_crop_backend
from core.lipsync.inference import LipSyncFrames, encode_references, loop_references
from core.lipsync.source_loop import SourceLoop
from core.mouth.space import MouthSpace
from core.mouth.streaming import MouthStepper
from core.realtime.avatar import Avatar, LipSyncAvatar
from core.realtime.backends import make_audio_backend


@dataclass(frozen=True)
class AudioModel:
    """A trained audio-to-mouth model and what it needs at inference."""

    net: nn.Module  # core.mouth.model.Audio2Mouth
    norm: NormStats
    fbank: FbankConfig
    space: MouthSpace


@dataclass
class LiveParts:
    stepper: MouthStepper
    avatar: Avatar  # LipSyncAvatar, GaussianAvatar (each has .backend.name)
    parity: list[Parity] = field(default_factory=list)
    setup_seconds: dict[str, float] = field(default_factory=dict)

    def describe(self) -> dict:
        return {
            "backend": self.stepper.backend.name,
            "renderer_backend": self.avatar.backend.name,
            "renderer_backend_reason": getattr(self.avatar, "backend_reason", ""),
            "onnx_parity": [p.to_dict() for p in self.parity],
            "setup_seconds": self.setup_seconds,
        }


def build_live_parts(
    audio: AudioModel,
    renderer: nn.Module,
    loop: SourceLoop,
    backend: str,
    device: torch.device,
    work_dir: Path | None = None,
    references: torch.Tensor | None = None,
    warmup: int = 3,
) -> LiveParts:
    """Backends for both models, the avatar (the one frame path) with cached reference features,
    the mouth stepper (the one audio stepper). `references` None: picked from the loop."""
    renderer = renderer.eval()
    audio.net.eval()
    parity: list[Parity] = []
    t0 = time.perf_counter()
    if references is None:
        references = loop_references(loop, renderer.cfg.num_references, renderer.geometry)
    ref_features = encode_references(renderer, references, device)
    t1 = time.perf_counter()
    crops, choice = make_crop_backend(backend, renderer, ref_features, device, work_dir, parity)
    reason = f"{choice.kind}: {choice.reason}"
    avatar = LipSyncAvatar(LipSyncFrames(loop, renderer.geometry, crops, audio.space, backend_reason=reason))
    t2 = time.perf_counter()
    audio_backend = make_audio_backend(backend, audio.net, device, work_dir, parity)
    t3 = time.perf_counter()
    stepper = MouthStepper.for_net(audio.net, audio.norm, audio.fbank, loop.fps, audio_backend)
    for _ in range(warmup):  # first calls allocate and pick kernels: keep that out of the live latency
        avatar.render(0, np.zeros(audio.net.cfg.k, np.float32))
        audio_backend.step(np.zeros(2 * audio.fbank.num_bins, np.float32))
    audio_backend.reset()
    return LiveParts(
        stepper,
        avatar,
        parity,
        {
            "avatar": t1 - t0,
            "renderer_backend": t2 - t1,
            "audio_backend": t3 - t2,
            "warmup": time.perf_counter() - t3,
        },
    )
