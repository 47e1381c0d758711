"""Tiny projects built by the real pipeline, once per session, for the lip-sync tests.

`prepared_clip_dir`: synthetic talking head (2.4 s, 256 px) -> PrepareJob -> PROJECT/prepared/tiny.
`trained_project`: the same project plus a finished dinet mini run (3 steps) and a finished
audio2mouth run (a few steps): enough for render/eval plumbing, not for quality.
Test modules wrap these builders in their own fixtures (built once per session, cached here).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from core.face.prepare_job import PrepareJob, PrepareSettings
from core.jobs.collector import CollectingRunner
from core.synth.talking_head import DemoClipSpec, generate, write

_CACHE: dict[str, object] = {}


def build_prepared_clip(root: Path, size: int = 256, duration: float = 2.4, seed: int = 3) -> Path:
    """A project at `root` with the prepared clip `root/prepared/tiny` (video in `root/media`)."""
    from studio.project import create_project, open_project

    key = f"clip-{root}-{size}-{duration}-{seed}"
    if key in _CACHE:
        return _CACHE[key]  # type: ignore[return-value]
    project = open_project(root) if (root / "project.toml").exists() else create_project(root, "tiny")
    clip = generate(DemoClipSpec(size=size, fps=25, duration=duration, seed=seed))
    video = project.media_dir / "tiny.mp4"
    write(clip, video, project.media_dir / "tiny_truth.json")
    out = project.prepared_dir / "tiny"
    result = CollectingRunner().run(PrepareJob(video, out, PrepareSettings(mouth_size=64)))
    assert result.ok, result.error
    project.add_clip("tiny")
    _CACHE[key] = out
    return out


@dataclass(frozen=True)
class TrainedProject:
    root: Path
    clip: Path
    dinet_run: Path
    audio_run: Path


def _train(kind_module: str, config, clip: Path, run_dir: Path, kind: str) -> Path:
    import importlib

    from core.train.run_folder import RunFolder
    from core.train.spec import TrainRequest

    run = RunFolder(run_dir).create(kind, config.model_dump(mode="json"))
    job = importlib.import_module(kind_module).make_job(config, TrainRequest((clip,), run, device="cpu"))
    result = CollectingRunner().run(job)
    run.close()
    assert result.ok, result.error
    run.set_status("finished", kind=kind)
    return run_dir


def build_trained_project(root: Path) -> TrainedProject:
    key = f"trained-{root}"
    if key in _CACHE:
        return _CACHE[key]  # type: ignore[return-value]
    from core.lipsync.train_config import DinetTrainConfig
    from core.mouth.config import Audio2MouthConfig

    clip = build_prepared_clip(root)
    dinet = DinetTrainConfig.model_validate(
        {
            "model": {"variant": "mini", "mouth_size": 64},
            "discriminator": {"base_channels": 8, "num_scales": 1},
            "loss": {"lamb_perception": 0.0},
            "train": {"steps": 3, "batch_size": 2, "lr_g": 2e-3},
        }
    )
    a2m = Audio2MouthConfig.model_validate(
        {
            "model": {"input_hidden": 32, "lstm_hidden": 32, "mlp_hidden": 16, "lstm_layers": 1},
            "train": {"steps": 3, "epoch_steps": 3, "batch": 2, "window": 8},
        }
    )
    runs = root / "runs"
    out = TrainedProject(
        root,
        clip,
        _train("core.lipsync.trainer", dinet, clip, runs / "dinet", "dinet"),
        _train("core.mouth.trainer", a2m, clip, runs / "a2m", "audio2mouth"),
    )
    _CACHE[key] = out
    return out


def tiny_project_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's shared tiny project folder (built on first use, then cached)."""
    return tmp_path_factory.getbasetemp() / "lipsync_tiny_project"
