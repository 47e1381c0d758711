"""A tiny project for the fault tests, built once under umask 0022 by the real pipeline.

A synthetic 2.4 s talking head prepared into PROJECT/prepared/tiny, an untrained lip-sync
renderer run and an untrained audio-to-mouth run (saved as the trainers save them: enough for
render and live to run, not for quality), and 30 s of synthetic speech.
"""

from __future__ import annotations

import os
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest


@dataclass(frozen=True)
class FaultProject:
    root: Path
    clip: Path
    dinet_run: Path
    audio_run: Path
    speech: Path  # 30 s mono 16 kHz WAV


def write_wav(path: Path, samples: np.ndarray, rate: int = 16000) -> Path:
    with wave.open(str(path), "wb") as wf:
        wf.setnchannels(1)
        wf.setsampwidth(2)
        wf.setframerate(rate)
        wf.writeframes((np.clip(samples, -1, 1) * 32767).astype(np.int16).tobytes())
    return path


def _save_runs(project, clip_dir: Path) -> tuple[Path, Path]:
    import torch

    from core.audio.fbank import FbankConfig, compute_fbank
    from core.audio.normalization import NormStats
    from core.face.prepared import PreparedClip
    from core.lipsync.config import RendererConfig
    from core.lipsync.factory import build_renderer
    from core.media.audio import read_audio
    from core.mouth.model import Audio2Mouth, NetConfig
    from core.mouth.space import MouthSpace
    from core.train.checkpoint import save_checkpoint
    from core.train.run_folder import RunFolder

    torch.manual_seed(0)
    prepared = PreparedClip.load(clip_dir)
    audio = read_audio(clip_dir / "audio.wav")
    fbank = FbankConfig()
    net = Audio2Mouth(NetConfig(k=4, input_hidden=16, lstm_hidden=16, mlp_hidden=8))
    audio_run = RunFolder(project.runs_dir / "a2m").create("audio2mouth", {})
    save_checkpoint(
        audio_run.checkpoints / "last.pt",
        {
            "kind": "audio2mouth",
            "step": 1,
            "model": net.state_dict(),
            "net": net.cfg.model_dump(),
            "features": fbank.model_dump(),
            "fps": 25.0,
            "config": {},
            "space": MouthSpace.fit(prepared.landmarks, k=4).to_dict(),
            "norm": NormStats.fit([compute_fbank(audio, fbank)]).to_dict(),
        },
    )
    audio_run.set_status("finished", kind="audio2mouth")
    cfg = RendererConfig(variant="mini", mouth_size=64, base_channels=4, res_blocks=1)
    lip_run = RunFolder(project.runs_dir / "dinet").create("dinet", {})
    save_checkpoint(
        lip_run.checkpoints / "last.pt",
        {
            "format": "dhstudio.dinet.v1",
            "step": 1,
            "mouth_size": 64,
            "generator": build_renderer(cfg).state_dict(),
            "renderer": cfg.model_dump(mode="json"),
            "clips": [clip_dir.name],
            "references": {clip_dir.name: [0, 8, 16, 24, 32]},
        },
    )
    lip_run.set_status("finished", kind="dinet")
    return lip_run.path, audio_run.path


@pytest.fixture(scope="session")
def fault_project(tmp_path_factory: pytest.TempPathFactory) -> FaultProject:
    from core.synth.speech import synthesize
    from studio.project import open_project
    from tests.core.lipsync.prepared_fixture import build_prepared_clip

    old = os.umask(0o022)
    try:
        root = tmp_path_factory.mktemp("faults") / "Project"
        clip = build_prepared_clip(root)
        project = open_project(root)
        dinet_run, audio_run = _save_runs(project, clip)
        speech, _ = synthesize(30.0, seed=11)
        wav = write_wav(tmp_path_factory.mktemp("speech") / "speech.wav", speech)
    finally:
        os.umask(old)
    return FaultProject(root, clip, dinet_run, audio_run, wav)
