"""From a prepared (MediaPipe-tracked) clip: demo training + orbit video, eval, PLY export, audio render."""

from __future__ import annotations

import json
import shutil

import av
import numpy as np
import pytest
import torch
from plyfile import PlyData

from core.face.prepared import PreparedClip
from core.gaussians.train.bundle import AVATAR_FILE
from core.gaussians.train.demo import run_gaussian_demo
from core.gaussians.train.evaluate import evaluate_run
from core.gaussians.train.export_ply import export_run_ply
from core.gaussians.train.render_audio import GaussianAudioRenderJob, GaussianRenderRequest
from core.jobs.collector import CollectingRunner
from core.jobs.context import JobContext
from studio.cli.main import main
from tests.core.media.audio_files import write_audio

pytestmark = pytest.mark.slow  # MediaPipe preparation + a real training run: ~2 minutes on 2 busy cores


@pytest.fixture(scope="module")
def demo_run(prepared_project):
    runner = CollectingRunner()
    ctx = JobContext(runner.events.append, runner.control)
    result = run_gaussian_demo(
        ctx, prepared_project, prepared_project / "prepared" / "demo", "cpu", max_steps=3
    )
    return result, runner


def test_demo_stage_trains_and_renders_an_orbit_video(demo_run):
    result, _ = demo_run
    with av.open(str(result.video)) as c:
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
    assert len(frames) == 24 and frames[0].shape == (128, 128, 3)
    assert np.abs(frames[0].astype(int) - frames[6].astype(int)).mean() > 0.5  # the view turns
    assert frames[0].mean() > 5  # the avatar is visible
    status = json.loads((result.run / "status.json").read_text())
    assert status["state"] == "finished" and status["kind"] == "gaussian"


def test_eval_and_ply_export_of_a_run(demo_run, tmp_path):
    result, _ = demo_run
    scores = evaluate_run(result.run, __import__("torch").device("cpu"), "torch")
    assert scores["lpips"] == "unavailable" and 0 < scores["ssim"] <= 1 and scores["frames"] >= 1
    paths = export_run_ply(result.run, tmp_path, frame=5)
    world = PlyData.read(str(paths[0]))["vertex"]
    assert len(world.data) == scores["gaussians"]
    names = {p.name for p in world.properties}
    assert {"x", "f_dc_0", "f_rest_44", "opacity", "scale_2", "rot_3", "binding_0"} <= names
    z = np.asarray(world["z"])
    assert 0.1 < float(np.median(z)) < 3.0  # metres in front of the estimated camera
    with np.load(paths[2]) as mesh:
        assert mesh["verts"].shape[1:] == (478, 3) and mesh["faces"].shape == (906, 3)


def test_cli_export_and_eval_dispatch_on_gaussian_runs(demo_run, tmp_path, capsys):
    result, _ = demo_run
    assert (
        main(["export", str(result.run), "--format", "ply", "--out", str(tmp_path / "ply"), "--quiet"]) == 0
    )
    assert len(list((tmp_path / "ply").glob("*.ply"))) == 2
    assert (
        main(["eval", str(result.run), "--device", "cpu", "--json", str(tmp_path / "e.json"), "--quiet"]) == 0
    )
    assert json.loads((tmp_path / "e.json").read_text())["gaussians"] > 0


def test_audio_driven_render_writes_the_video_with_the_new_audio(demo_run, prepared_project, tmp_path):
    result, _ = demo_run
    a2m = prepared_project / "runs" / "a2m"
    assert (
        main(
            [
                "train",
                "training_jobs/audio2mouth.toml",
                "--project",
                str(prepared_project),
                "--run-name",
                "a2m",
                "--max-steps",
                "2",
                "--device",
                "cpu",
                "--quiet",
                "--set",
                "train.epoch_steps=2",
                "--set",
                "train.window=10",
                "--set",
                "train.batch=2",
            ]
        )
        == 0
    )
    rng = np.random.default_rng(0)
    t = np.arange(44100) / 44100.0
    speech = 0.3 * np.sin(2 * np.pi * 180 * t) * (np.sin(2 * np.pi * 3 * t) > 0) + 0.01 * rng.standard_normal(
        44100
    )
    wav = tmp_path / "speech.wav"  # 44.1 kHz stereo: the video must carry it as it is
    stereo = np.stack([speech, 0.5 * speech]).astype(np.float32)
    write_audio(wav, stereo, 44100, "pcm_s16le", "s16", layout="stereo")
    out = tmp_path / "out.mp4"
    job = GaussianAudioRenderJob(GaussianRenderRequest(result.run, wav, out, a2m, "cpu", "torch"))
    res = CollectingRunner().run(job)
    assert res.ok, res.error
    with av.open(str(out)) as c:
        assert c.streams.audio and c.streams.video
        assert (c.streams.audio[0].rate, c.streams.audio[0].codec_context.channels) == (44100, 2)
        plain = [f.to_ndarray(format="rgb24").astype(int) for f in c.decode(video=0)]
    assert len(plain) == 25  # 1 s of audio at the clip's 25 fps

    # the same avatar with a per-frame mesh correction (a sideways shift) renders shifted
    moved = prepared_project / "runs" / "demo-corrected"
    shutil.copytree(result.run, moved)
    state = torch.load(moved / AVATAR_FILE, weights_only=True)
    clip = PreparedClip.load(prepared_project / "prepared" / "demo")
    params = torch.zeros(clip.frame_count, 6)
    params[:, 3] = 0.1  # x 0.1 scene extents: several pixels in the crop
    state["innovations"]["temporal"] = {
        "params": params,
        "frames": torch.arange(clip.frame_count),
        "extent": 0.5,
    }
    torch.save(state, moved / AVATAR_FILE)
    out2 = tmp_path / "out2.mp4"
    res = CollectingRunner().run(
        GaussianAudioRenderJob(GaussianRenderRequest(moved, wav, out2, a2m, "cpu", "torch"))
    )
    assert res.ok, res.error
    with av.open(str(out2)) as c:
        shifted = [f.to_ndarray(format="rgb24").astype(int) for f in c.decode(video=0)]
    assert len(shifted) == 25 and np.abs(shifted[0] - plain[0]).mean() > 0.5


def test_the_gaussian_render_holds_its_source_frames_within_the_memory_budget(demo_run, monkeypatch):
    """Every frame of the clip was decoded into memory (a few minutes of 1080p: 28 GB); the frames
    held are capped by the loop's memory budget and the render plays back and forth over them."""
    from core.gaussians.train.render_audio import GaussianFrames
    from core.lipsync import source_loop

    result, _ = demo_run
    whole = GaussianFrames(result.run, None, torch.device("cpu"))
    h, w = whole.frames.shape[1:3]
    assert len(whole.frames) == whole.clip.frame_count > 6
    monkeypatch.setattr(source_loop, "LOOP_MEMORY_BYTES", 6 * w * h * 3)
    assert len(GaussianFrames(result.run, None, torch.device("cpu")).frames) == 6
    assert len(GaussianFrames(result.run, None, torch.device("cpu"), max_frames=4).frames) == 4
