"""A tiny project for the fault tests, built once under umask 0022 by the real pipeline.

A synthetic 2.4 s talking head prepared into PROJECT/prepared/tiny, an untrained lip-sync
renderer run and an untrained audio-to-mouth run (saved as the trainers save them: enough for
render and live to run, not for quality), and 30 s of synthetic speech.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from core.media.wav import write_wav


@dataclass(frozen=True)
class FaultProject:
    root: Path
    clip: Path
    dinet_run: Path
    audio_run: Path
    speech: Path  # 30 s mono 16 kHz WAV


def _save_runs(project, clip_dir: Path) -> tuple[Path, Path]:
    from core.media.audio import read_audio
    from tests.faults.kinds_fixture import save_audio_model, save_lipsync_model

    audio_run = save_audio_model(project.runs_dir / "a2m", clip_dir, read_audio(clip_dir / "audio.wav"))
    return save_lipsync_model(project.runs_dir / "dinet", [clip_dir.name]), audio_run


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
        wav = tmp_path_factory.mktemp("speech") / "speech.wav"
        write_wav(wav, speech, 16000)
    finally:
        os.umask(old)
    return FaultProject(root, clip, dinet_run, audio_run, wav)
