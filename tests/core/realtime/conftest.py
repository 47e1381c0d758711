"""A tiny, untrained live setup on a short synthetic talking-head clip (built once per session)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
import torch

from core.audio.fbank import FbankConfig, compute_fbank
from core.audio.normalization import NormStats
from core.lipsync.config import RendererConfig
from core.lipsync.factory import build_renderer
from core.lipsync.source_loop import SourceLoop
from core.mouth.model import Audio2Mouth, NetConfig
from core.mouth.space import MouthSpace
from core.realtime.assembly import AudioModel
from tests.core.lipsync.native_fixture import native_mini_module  # noqa: F401 (a fixture for the live tests)


@dataclass
class TinyLive:
    audio: AudioModel
    renderer: torch.nn.Module
    loop: SourceLoop
    speech: np.ndarray  # 16 kHz


@pytest.fixture(scope="session")
def tiny_live() -> TinyLive:
    from core.face.tracker import FaceTracker
    from core.synth.talking_head import DemoClipSpec, generate

    clip = generate(DemoClipSpec(size=256, fps=25, duration=1.6, seed=3))
    with FaceTracker() as tracker:
        found = [tracker.track(f) for f in clip.frames]
    assert all(lm is not None for lm in found), "MediaPipe must track every synthetic frame"
    landmarks = np.stack(found).astype(np.float32)
    torch.manual_seed(0)
    fbank = FbankConfig()
    norm = NormStats.fit([compute_fbank(clip.audio, fbank)])
    net = Audio2Mouth(NetConfig(k=4, input_hidden=16, lstm_hidden=16, mlp_hidden=8, lstm_layers=2)).eval()
    space = MouthSpace.fit(landmarks, k=4)
    renderer = build_renderer(
        RendererConfig(variant="mini", mouth_size=64, base_channels=4, res_blocks=1)
    ).eval()
    return TinyLive(
        AudioModel(net, norm, fbank, space), renderer, SourceLoop(clip.frames, landmarks, 25.0), clip.audio
    )
