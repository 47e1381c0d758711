"""A tiny project for the fault tests: a prepared synthetic clip plus finished runs with real (untrained,
tiny) networks, built once per session; each test works on its own copy.

Runs: `a2m` (audio2mouth) and `dinet` (lip-sync renderer), both `finished`. `save_audio_model` and
`save_lipsync_model` write such runs anywhere (the fault conftest and `tests/studio/test_cmd_live.py`
build their projects with them too).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from core.media.wav import write_wav
from core.project_layout import ProjectLayout

if TYPE_CHECKING:
    from studio.project import Project

_CACHE: dict[str, Path] = {}


@dataclass(frozen=True)
class TinyProject:
    root: Path
    wav: Path
    runs: Path
    dinet: Path  # the lip-sync renderer run
    a2m: Path  # the audio-to-mouth run

    @classmethod
    def at(cls, root: Path, wav: Path) -> TinyProject:
        layout = ProjectLayout(root)
        return cls(root, wav, layout.runs, layout.run("dinet"), layout.run("a2m"))


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


def save_lipsync_model(run_dir: Path, clips: list[str]) -> Path:
    """A finished DINet-mini run (64 px mouth, 4 base channels) with untrained weights for `clips`."""
    import torch

    from core.lipsync.config import RendererConfig
    from core.lipsync.factory import build_renderer
    from core.train.checkpoint import save_checkpoint
    from core.train.run_folder import RunFolder, RunState

    torch.manual_seed(0)
    cfg = RendererConfig(variant="mini", mouth_size=64, base_channels=4, res_blocks=1)
    run = RunFolder(run_dir).create("dinet", {}, job="dinet_mini")
    save_checkpoint(
        run.checkpoints / "last.pt",
        {
            "format": "dhstudio.dinet.v1",
            "step": 1,
            "mouth_size": 64,
            "generator": build_renderer(cfg).state_dict(),
            "renderer": cfg.model_dump(mode="json"),
            "clips": list(clips),
            "references": {name: [0, 8, 16, 24, 32] for name in clips},
        },
    )
    run.set_status(RunState.FINISHED)
    return run.path


def make_talking_project(root: Path) -> tuple[Project, np.ndarray]:
    """PROJECT at root/Avatar with a 1.6 s synthetic talking head prepared as clip `talk` (64 px mouth),
    an audio-to-mouth run `a2m` and a lip-sync run `dinet`; returns (project, the clip's audio)."""
    from core.face.prepare_job import PrepareJob, PrepareSettings
    from core.jobs.collector import CollectingRunner
    from core.synth.talking_head import DemoClipSpec, generate, write
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
    save_lipsync_model(proj.layout.run("dinet"), ["talk"])
    return proj, clip.audio


def _build(root: Path) -> TinyProject:
    proj, audio = make_talking_project(root)
    write_wav(root / "speech.wav", np.tile(audio, 2)[:12000], 16000)
    return TinyProject.at(proj.root, root / "speech.wav")


def tiny_project(tmp_path_factory, dest: Path) -> TinyProject:
    """A fresh copy (at `dest`) of the session's tiny project."""
    if "tiny" not in _CACHE:
        base = tmp_path_factory.mktemp("faults_tiny")
        _CACHE["tiny"] = _build(base).root
    src = _CACHE["tiny"]
    shutil.copytree(src.parent, dest)
    return TinyProject.at(dest / src.name, dest / "speech.wav")
