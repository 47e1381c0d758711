"""The Gaussian avatar live: the same frames as `dhstudio render`, and `dhstudio live GAUSSIAN_RUN` works."""

from __future__ import annotations

import json

import av
import numpy as np
import pytest
import torch

from core.gaussians.render.select import select_renderer
from core.gaussians.train import render_audio
from core.gaussians.train.live import gaussian_live_parts
from core.gaussians.train.render_audio import GaussianAudioRenderJob, GaussianRenderRequest
from core.jobs.collector import CollectingRunner
from core.kinds.registry import kind_of_run
from core.realtime.job import LiveRequest
from studio.cli.main import main
from tests.core.media.audio_files import write_speech
from tests.core.realtime.frame_capture import expected_frames, keep_written_frames, run_unpaced


def cpu_renderer() -> str:
    """What `auto` picks on a CPU: the fused C++ rasterizer where it is built, else the PyTorch one."""
    return select_renderer("auto", "cpu").renderer.name


@pytest.fixture(scope="module")
def speech(tmp_path_factory):
    return write_speech(tmp_path_factory.mktemp("gs_speech") / "s.wav", 1.0, seed=5)


def test_gaussian_live_equals_the_offline_render(gp, speech, tmp_path, monkeypatch):
    seen = keep_written_frames(monkeypatch, render_audio)
    req = GaussianRenderRequest(gp.gaussian_run, speech, tmp_path / "o.mp4", gp.audio_run, "cpu", "torch")
    result = CollectingRunner().run(GaussianAudioRenderJob(req))
    assert result.ok, result.error

    live_req = LiveRequest(gp.gaussian_run, gp.audio_run, audio_file=speech, device="cpu")
    parts = gaussian_live_parts(live_req, torch.device("cpu"), gp.audio_run, tmp_path)
    assert parts.avatar.backend.name == cpu_renderer()  # the offline render used "torch": a cross-check
    live, outcome = run_unpaced(speech, parts.stepper, parts.avatar)
    assert outcome.error is None, outcome.error
    n = expected_frames(speech)
    assert len(seen) == n and sorted(live) == list(range(n))
    diff = np.stack([np.abs(seen[j].astype(int) - live[j].astype(int)) for j in range(n)])
    assert diff.max() <= 1, f"max abs diff {diff.max()}"
    # the render really drew the avatar over the source frame
    src = parts.avatar.idle_frame(3).astype(int)
    assert np.abs(live[3].astype(int) - src).max() > 8


def test_feather_softens_only_the_render_edge(gp, tmp_path):
    live_req = LiveRequest(gp.gaussian_run, gp.audio_run, device="cpu")
    parts = gaussian_live_parts(live_req, torch.device("cpu"), gp.audio_run, tmp_path, warmup=0)
    coeffs = np.zeros(parts.stepper.k, np.float32)
    hard, _ = parts.avatar.render(2, coeffs)
    assert parts.avatar.set_feather(0.9) == 0.5  # clamped to the allowed range
    soft, _ = parts.avatar.render(2, coeffs)
    changed = np.abs(hard.astype(int) - soft.astype(int)).max(-1) > 0
    x0, y0, side = parts.avatar.frames.crop
    assert changed.any()
    outside = changed.copy()
    outside[max(y0, 0) : y0 + side, max(x0, 0) : x0 + side] = False
    assert not outside.any()  # pixels outside the render's crop stay the source's


def test_cli_live_drives_a_gaussian_run_from_a_file(gp, speech, tmp_path):
    assert kind_of_run(gp.gaussian_run).live is not None
    report, rec = tmp_path / "r.json", tmp_path / "rec.mp4"
    args = ["live", str(gp.gaussian_run), "--audio-file", str(speech), "--no-display"]
    args += ["--report", str(report), "--record", str(rec), "--audio-model", str(gp.audio_run), "--quiet"]
    assert main(args) == 0
    r = json.loads(report.read_text())
    frames = r["frames"]
    assert r["frames_expected"] == 25 == frames["rendered"] + frames["dropped"]
    assert frames["rendered"] >= 1 and r["renderer_backend"] == cpu_renderer()
    assert r["stop_reason"] == "end_of_audio"
    assert r["latency_ms"]["end_to_end"]["p50"] > 0
    with av.open(str(rec)) as c:
        assert c.streams.video and c.streams.audio
        assert sum(1 for _ in c.decode(video=0)) == 25  # the recorder fills dropped frames


def test_render_runs_the_audio_model_on_the_backend_asked_for(gp, speech, tmp_path, monkeypatch, capsys):
    """`render GAUSSIAN_RUN --backend onnx` steps the audio model on ONNX Runtime, as live does, and
    says so; the video equals the eager one (the ONNX graph passes its parity check)."""
    seen = keep_written_frames(monkeypatch, render_audio)
    common = ["render", str(gp.gaussian_run), "--audio", str(speech), "--audio-model", str(gp.audio_run)]
    assert main([*common, "--out", str(tmp_path / "t.mp4"), "--backend", "torch", "--device", "cpu"]) == 0
    eager = list(seen)
    seen.clear()
    capsys.readouterr()
    assert main([*common, "--out", str(tmp_path / "o.mp4"), "--backend", "onnx", "--device", "cpu"]) == 0
    assert "audio model on onnx" in capsys.readouterr().err
    assert len(seen) == len(eager) == expected_frames(speech)
    diff = max(int(np.abs(a.astype(int) - b.astype(int)).max()) for a, b in zip(seen, eager, strict=True))
    assert diff <= 1, f"max abs diff {diff}"
