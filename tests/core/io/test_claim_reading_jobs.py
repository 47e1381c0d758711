"""Every job family that reads a prepared clip holds it for reading while it runs, and is refused
(bad input naming the job holding it) while a prepare, remove or rename of that clip runs.

One job per family, on the session's tiny project (`gp`: a prepared clip, a lip-sync, an audio-to-mouth
and a Gaussian run). Each held job is cancelled as soon as its claim is seen, so the file stays fast;
training is checked end to end in tests/studio/gui/test_clip_in_use.py.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import torch

from core.io.claim import claimed, readers
from core.jobs.collector import CollectingRunner
from core.jobs.control import JobControl
from core.jobs.job import Job, Status, execute
from tests.core.media.audio_files import write_speech


def _render(gp, wav: Path, out: Path) -> Job:
    from core.lipsync.render import RenderJob, RenderRequest

    return RenderJob(RenderRequest(gp.dinet_run, wav, out / "o.mp4", gp.audio_run))


def _evaluate(gp, wav: Path, out: Path) -> Job:
    from core.lipsync.evaluate import EvalJob, EvalRequest

    return EvalJob(EvalRequest(gp.dinet_run, limit=3))


def _live(gp, wav: Path, out: Path) -> Job:
    from core.realtime.job import LiveJob, LiveRequest

    return LiveJob(LiveRequest(gp.dinet_run, gp.audio_run, audio_file=wav, preview_fps=0))


def _export(gp, wav: Path, out: Path) -> Job:
    from core.export.job import ModelExportJob
    from core.export.subjects import audio_subject
    from core.kinds.requests import ExportRequest

    return ModelExportJob("onnx", ExportRequest(gp.audio_run, out / "onnx"), audio_subject)


def _bundle(gp, wav: Path, out: Path) -> Job:
    from core.export.bundle import BundleExportJob
    from core.kinds.requests import ExportRequest

    return BundleExportJob(ExportRequest(gp.dinet_run, out / "bundle", options={"audio_run": gp.audio_run}))


def _gaussian_render(gp, wav: Path, out: Path) -> Job:
    from core.gaussians.train.render_audio import GaussianAudioRenderJob, GaussianRenderRequest

    req = GaussianRenderRequest(gp.gaussian_run, wav, out / "g.mp4", gp.audio_run, "cpu", "torch")
    return GaussianAudioRenderJob(req)


def _gaussian_evaluate(gp, wav: Path, out: Path) -> Job:
    from core.gaussians.train.evaluate import GaussianEvalJob

    return GaussianEvalJob(gp.gaussian_run, torch.device("cpu"), "torch")


def _gaussian_live(gp, wav: Path, out: Path) -> Job:
    from core.gaussians.train.live import gaussian_live_parts
    from core.realtime.job import LiveJob, LiveRequest

    return LiveJob(
        LiveRequest(gp.gaussian_run, gp.audio_run, audio_file=wav, preview_fps=0), gaussian_live_parts
    )


def _ply(gp, wav: Path, out: Path) -> Job:
    from core.gaussians.train.export_ply import PlyExportJob

    return PlyExportJob(gp.gaussian_run, out / "ply")


# (job, what a writer's refusal calls it, what the job's own refusal asks to do again)
JOBS: dict[str, tuple[Callable[..., Job], str, str]] = {
    "lip-sync render": (_render, "render", "render"),
    "lip-sync evaluation": (_evaluate, "evaluation", "evaluate the run"),
    "lip-sync live": (_live, "live session", "go live"),
    "model export": (_export, "export", "export the run"),
    "bundle export": (_bundle, "export", "export the run"),
    "Gaussian render": (_gaussian_render, "render", "render"),
    "Gaussian evaluation": (_gaussian_evaluate, "evaluation", "evaluate the run"),
    "Gaussian live": (_gaussian_live, "live session", "go live"),
    "PLY export": (_ply, "export", "export the run"),
}


@pytest.fixture(scope="module")
def speech(tmp_path_factory) -> Path:
    return write_speech(tmp_path_factory.mktemp("reading_jobs") / "s.wav", 1.0, seed=5)


@pytest.mark.parametrize("name", JOBS)
def test_the_job_holds_its_clip_while_it_runs(name, gp, speech, tmp_path):
    make, job_name, _ = JOBS[name]
    control = JobControl()
    seen: list[list[str]] = []

    def sink(event) -> None:
        held = [c.job for c in readers(gp.clip)]
        seen.append(held)
        if job_name in held:
            control.cancel()  # seen holding it: the rest of the job proves nothing more

    result = execute(make(gp, speech, tmp_path), sink, control)
    assert any(job_name in held for held in seen), (result.error, seen)
    assert result.status in (Status.CANCELLED, Status.SUCCEEDED), result.error
    assert readers(gp.clip) == [] and not [p for p in gp.clip.parent.iterdir() if ".reading." in p.name]


@pytest.mark.parametrize("name", JOBS)
def test_the_job_is_refused_while_its_clip_is_being_prepared(name, gp, speech, tmp_path):
    make, _, action = JOBS[name]
    with claimed(gp.clip, "prepare", "prepare 'tiny'"):
        result = CollectingRunner().run(make(gp, speech, tmp_path))
    assert result.bad_input, result.error
    assert result.error.startswith(f"'{gp.clip.name}' is in use: its prepare is running in another studio")
    assert result.error.endswith(f"then {action} again.")
    assert list(tmp_path.iterdir()) == []  # nothing written
    assert not [p for p in gp.clip.parent.iterdir() if p.name.startswith(".")]  # no marker left
