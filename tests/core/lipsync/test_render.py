"""Rendering new speech into the tiny clip: duration follows the audio, mp4 has audio, eval runs."""

from __future__ import annotations

import math
from pathlib import Path

import av
import numpy as np
import pytest

from core.jobs.collector import CollectingRunner
from core.lipsync.evaluate import EvalJob, EvalRequest
from core.lipsync.render import RenderJob, RenderRequest
from core.media.wav import write_wav
from tests.core.lipsync.prepared_fixture import TrainedProject, build_trained_project, tiny_project_root


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> TrainedProject:
    return build_trained_project(tiny_project_root(tmp_path_factory))


def speech_like(seconds: float, rate: int = 16000) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 3.0 * t)
    return (0.3 * envelope * np.sin(2 * np.pi * 180 * t)).astype(np.float32)


def probe(path: Path) -> tuple[int, float, bool]:
    """(video frames, audio seconds, has audio)."""
    with av.open(str(path)) as c:
        frames = sum(1 for _ in c.decode(video=0))
    with av.open(str(path)) as c:
        if not c.streams.audio:
            return frames, 0.0, False
        samples = sum(f.samples for f in c.decode(audio=0))
        return frames, samples / c.streams.audio[0].rate, True


def test_render_matches_audio_duration_and_carries_audio(
    tiny: TrainedProject,
    tmp_path: Path,
) -> None:
    seconds = 3.3  # longer than the 2.4 s clip: the source frames ping-pong
    wav = tmp_path / "speech.wav"
    write_wav(wav, speech_like(seconds), 16000)
    out = tmp_path / "out.mp4"
    runner = CollectingRunner()
    result = runner.run(RenderJob(RenderRequest(tiny.dinet_run, wav, out, tiny.audio_run)))
    assert result.ok, result.error
    frames, audio_s, has_audio = probe(out)
    assert has_audio
    assert abs(frames - math.ceil(seconds * 25)) <= 1
    assert abs(audio_s - seconds) < 0.1
    assert not list(tmp_path.glob(".out.*"))  # no temporary left behind


def test_eval_reports_figures(tiny: TrainedProject) -> None:
    result = CollectingRunner().run(EvalJob(EvalRequest(tiny.dinet_run, tiny.audio_run, limit=6)))
    assert result.ok, result.error
    figures = result.value
    assert figures["frames"] == 6 and figures["mouth_size"] == 64
    assert 0 < figures["psnr_mouth"] < 60 and -1 <= figures["ssim_mouth"] <= 1
    assert figures["sharpness_ratio"] > 0
    assert set(figures) >= {"lmd_px", "audio_opening_r", "driving_opening_r", "retracked_fraction"}


def test_demo_stage_trains_mini_and_renders(tiny: TrainedProject) -> None:
    from core.jobs.context import JobContext
    from core.lipsync.demo_stage import RUN_NAME, run_lipsync_demo
    from core.train.run_folder import RunFolder

    events: list = []
    result = run_lipsync_demo(JobContext(events.append), tiny.root, tiny.clip, device="cpu", max_steps=2)
    assert result.run == tiny.root / "runs" / RUN_NAME
    assert RunFolder(result.run).read_status()["state"] == "finished"
    frames, _, has_audio = probe(result.video)
    assert has_audio and abs(frames - 60) <= 1  # the 2.4 s clip's own speech


def test_references_come_from_training_or_from_prepare(tiny: TrainedProject) -> None:
    from core.face.prepared import PreparedClip
    from core.lipsync.inference import load_renderer

    renderer = load_renderer(tiny.dinet_run)
    clip = PreparedClip.load(tiny.clip)
    assert renderer.reference_ids(clip) == renderer.references[clip.name]  # the trained ones
    renderer.references = {}  # a clip the renderer never saw: prepare's candidates, closed -> open
    ids = renderer.reference_ids(clip)
    cands = clip.reference_candidates
    assert len(ids) == renderer.net.cfg.num_references and set(ids) <= set(cands)
    assert ids[0] == cands[0] and ids[-1] == cands[-1]
