"""A tiny project for the fault tests: a prepared synthetic clip plus finished runs with real (untrained,
tiny) networks, built once per session; each test works on its own copy.

Runs: `a2m` (audio2mouth) and `dinet` (lip-sync renderer), both `finished`.
"""

from __future__ import annotations

import shutil
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

_CACHE: dict[str, Path] = {}


@dataclass(frozen=True)
class TinyProject:
    root: Path
    wav: Path

    @property
    def runs(self) -> Path:
        return self.root / "runs"

    @property
    def dinet(self) -> Path:
        return self.runs / "dinet"

    @property
    def a2m(self) -> Path:
        return self.runs / "a2m"


def write_wav(path: Path, samples: np.ndarray, rate: int = 16000) -> Path:
    with wave.open(str(path), "wb") as wf:
        wf.setnchannels(1)
        wf.setsampwidth(2)
        wf.setframerate(rate)
        wf.writeframes((np.clip(samples, -1, 1) * 32767).astype(np.int16).tobytes())
    return path


def save_audio_model(run_dir: Path, clip_dir: Path, audio: np.ndarray, poison: bool = False) -> Path:
    """A finished audio2mouth run with a tiny real network (NaN weights when `poison`)."""
    import torch

    from core.audio.fbank import FbankConfig, compute_fbank
    from core.audio.normalization import NormStats
    from core.face.prepared import PreparedClip
    from core.mouth.model import Audio2Mouth, NetConfig
    from core.mouth.space import MouthSpace
    from core.train.checkpoint import save_checkpoint
    from core.train.run_folder import RunFolder, RunState

    torch.manual_seed(0)
    fbank = FbankConfig()
    net = Audio2Mouth(NetConfig(k=4, input_hidden=16, lstm_hidden=16, mlp_hidden=8))
    state = net.state_dict()
    if poison:
        state = {
            k: torch.full_like(v, float("nan")) if v.is_floating_point() else v for k, v in state.items()
        }
    space = MouthSpace.fit(PreparedClip.load(clip_dir).landmarks, k=4)
    run = RunFolder(run_dir).create("audio2mouth", {}, job="audio2mouth")
    save_checkpoint(
        run.checkpoints / "last.pt",
        {
            "kind": "audio2mouth",
            "step": 1,
            "model": state,
            "net": net.cfg.model_dump(),
            "features": fbank.model_dump(),
            "fps": 25.0,
            "config": {},
            "space": space.to_dict(),
            "norm": NormStats.fit([compute_fbank(audio, fbank)]).to_dict(),
        },
    )
    run.set_status(RunState.FINISHED)
    return run.path


def _build(root: Path) -> TinyProject:
    import torch

    from core.face.prepare_job import PrepareJob, PrepareSettings
    from core.jobs.collector import CollectingRunner
    from core.lipsync.config import RendererConfig
    from core.lipsync.factory import build_renderer
    from core.synth.talking_head import DemoClipSpec, generate, write
    from core.train.checkpoint import save_checkpoint
    from core.train.run_folder import RunFolder, RunState
    from studio.project import create_project

    proj = create_project(root / "Avatar")
    clip = generate(DemoClipSpec(size=256, fps=25, duration=1.6, seed=5))
    write(clip, root / "talk.mp4", root / "truth.json")
    result = CollectingRunner().run(
        PrepareJob(root / "talk.mp4", proj.layout.clip("talk"), PrepareSettings(mouth_size=64))
    )
    assert result.ok, result.error
    proj.add_clip("talk")
    save_audio_model(proj.layout.run("a2m"), proj.layout.clip("talk"), clip.audio)
    torch.manual_seed(0)
    cfg = RendererConfig(variant="mini", mouth_size=64, base_channels=4, res_blocks=1)
    lip = RunFolder(proj.layout.run("dinet")).create("dinet", {}, job="dinet_mini")
    save_checkpoint(
        lip.checkpoints / "last.pt",
        {
            "format": "dhstudio.dinet.v1",
            "step": 1,
            "mouth_size": 64,
            "generator": build_renderer(cfg).state_dict(),
            "renderer": cfg.model_dump(mode="json"),
            "clips": ["talk"],
            "references": {"talk": [0, 8, 16, 24, 32]},
        },
    )
    lip.set_status(RunState.FINISHED)
    wav = write_wav(root / "speech.wav", np.tile(clip.audio, 2)[:12000])
    return TinyProject(proj.root, wav)


def tiny_project(tmp_path_factory, dest: Path) -> TinyProject:
    """A fresh copy (at `dest`) of the session's tiny project."""
    if "tiny" not in _CACHE:
        base = tmp_path_factory.mktemp("faults_tiny")
        _CACHE["tiny"] = _build(base).root
    src = _CACHE["tiny"]
    shutil.copytree(src.parent, dest)
    return TinyProject(dest / src.name, dest / "speech.wav")
