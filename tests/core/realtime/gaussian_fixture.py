"""A tiny finished Gaussian run next to the tiny lip-sync project's audio-to-mouth run.

Built once per session on the lip-sync tests' prepared clip (MediaPipe-tracked synthetic head):
a few Gaussian training steps at 64 px, enough for live/render plumbing, not for quality.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.core.lipsync.prepared_fixture import build_trained_project, tiny_project_root


@dataclass(frozen=True)
class GaussianProject:
    root: Path
    clip: Path
    dinet_run: Path
    audio_run: Path
    gaussian_run: Path


@functools.cache  # once per project root and session
def build_gaussian_project(root: Path, steps: int = 2) -> GaussianProject:
    from core.gaussians.train.demo import demo_config
    from core.gaussians.train.trainer import GaussianTrainJob
    from core.jobs.collector import CollectingRunner
    from core.train.lifecycle import run_lifecycle
    from core.train.run_folder import RunFolder
    from core.train.spec import TrainRequest

    tiny = build_trained_project(root)
    cfg = demo_config(steps)
    run = RunFolder(root / "runs" / "gauss")
    run.create(cfg.kind, cfg.model_dump(mode="json"))
    runner = CollectingRunner()
    with run_lifecycle(run, resume=False, created=True):
        result = runner.run(GaussianTrainJob(cfg, TrainRequest((tiny.clip,), run, "cpu")))
    assert result.ok, result.error
    return GaussianProject(root, tiny.clip, tiny.dinet_run, tiny.audio_run, run.path)


def gaussian_project(tmp_path_factory: pytest.TempPathFactory) -> GaussianProject:
    return build_gaussian_project(tiny_project_root(tmp_path_factory))
