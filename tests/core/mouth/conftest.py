"""A short synthetic talking-head clip, prepared once per test session (tracking takes ~15 s)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import core.audio.fbank  # noqa: F401  (pydantic first: its lazy imports break if PySide6's hook runs mid-way)
from core.face.prepare_job import PrepareJob
from core.jobs.collector import CollectingRunner
from core.synth.talking_head import DemoClipSpec, generate, write
from studio.project import create_project


@pytest.fixture(scope="session")
def demo_project(tmp_path_factory) -> Path:
    """A project with one prepared clip 'demo' (6 s, 256 px, 25 fps) and its mouth truth."""
    root = tmp_path_factory.mktemp("a2m") / "proj"
    project = create_project(root, "a2m-tests")
    clip = generate(DemoClipSpec(size=256, duration=6.0))
    write(clip, project.media_dir / "demo.mp4", project.media_dir / "demo_truth.json")
    result = CollectingRunner().run(PrepareJob(project.media_dir / "demo.mp4", project.prepared_dir / "demo"))
    assert result.ok, result.error
    return root


@pytest.fixture(scope="session")
def demo_clip(demo_project) -> Path:
    return demo_project / "prepared" / "demo"


def variant_clip(src: Path, dst: Path, audio: np.ndarray | None) -> Path:
    """A copy of a prepared clip with other audio (None: no audio track at all)."""
    from core.media.wav import write_wav

    shutil.copytree(src, dst)
    manifest = json.loads((dst / "manifest.json").read_text())
    manifest["name"] = dst.name
    if audio is None:
        (dst / "audio.wav").unlink()
        manifest["has_audio"] = False
    else:
        write_wav(dst / "audio.wav", audio, 16000)
    (dst / "manifest.json").write_text(json.dumps(manifest))
    return dst


def train_audio_run(clip: Path, run_dir: Path, steps: int):
    """(result, run folder) of the audio2mouth job on one prepared clip; steps 0: the mapped prior."""
    from core.mouth.config import Audio2MouthConfig
    from core.mouth.trainer import make_job
    from core.train.run_folder import RunFolder
    from core.train.spec import TrainRequest

    cfg = Audio2MouthConfig.model_validate(
        {"kind": "audio2mouth", "train": {"steps": steps, "epoch_steps": 5}}
    )
    run = RunFolder(run_dir).create("audio2mouth", cfg.model_dump(mode="json"))
    try:
        return CollectingRunner().run(make_job(cfg, TrainRequest((clip,), run, "cpu"))), run
    finally:
        run.close()
