"""The audio2mouth training job on a prepared synthetic clip: learns, reports, resumes, refuses."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from core.jobs.collector import CollectingRunner
from core.jobs.events import LogLine, Metric
from core.mouth.config import Audio2MouthConfig
from core.mouth.loader import load_audio2mouth
from core.mouth.trainer import make_job
from core.train.checkpoint import load_checkpoint
from core.train.run_folder import RunFolder
from core.train.spec import TrainRequest
from tests.core.mouth.conftest import variant_clip

TINY = {
    "kind": "audio2mouth",
    "model": {"input_hidden": 64, "lstm_hidden": 64, "mlp_hidden": 32},
    "train": {"steps": 1000, "epoch_steps": 20, "batch": 8, "window": 40},
    "prior": {"use": False},  # from scratch; starting from the prior: prior/test_trainer_prior.py
}


def _train(clips: list[Path], run_dir: Path, max_steps: int | None, resume: bool = False, cfg: dict = TINY):
    config = Audio2MouthConfig.model_validate(cfg)
    run = RunFolder(run_dir)
    if not resume:
        run.create("audio2mouth", config.model_dump(mode="json"))
    runner = CollectingRunner()
    try:
        result = runner.run(make_job(config, TrainRequest(tuple(clips), run, "cpu", max_steps, resume)))
    finally:
        run.close()
    return result, runner, run


def test_learns_mouth_opening_on_a_tiny_budget(demo_clip, demo_project, tmp_path):
    result, runner, run = _train([demo_clip], tmp_path / "run", max_steps=60)
    assert result.ok, result.error
    summary = json.loads((run.path / "summary.json").read_text())
    assert summary["step"] == 60  # max_steps caps the configured 1000
    # an untrained network scores r ~ 0; 60 small steps already follow the held-out speech
    assert summary["heldout_mouth_r"] >= 0.6, summary
    assert 0 < summary["heldout_lmd_px"] < 5.0
    assert len(summary["explained_variance_ratio"]) == 6 and 0.8 < summary["explained_variance_total"] <= 1.0
    # per-epoch metrics through the job events and metrics.jsonl alike
    names = {(m.name, m.step) for m in runner.of_type(Metric)}
    rows = {(r["name"], r["step"]) for r in run.read_metrics()}
    for step in (20, 40, 60):
        for key in ("train_loss", "heldout_loss", "heldout_mouth_r", "heldout_lmd_px"):
            assert (f"audio2mouth/{key}", step) in names and (f"audio2mouth/{key}", step) in rows
    losses = [r["value"] for r in run.read_metrics() if r["name"] == "audio2mouth/train_loss"]
    assert losses[-1] < losses[0]
    for name in ("mouth_space.npz", "norm_stats.npz", "checkpoints/last.pt"):
        assert (run.path / name).is_file()
    assert list(run.previews.glob("heldout_opening_*.png"))

    # the saved model predicts the tracked opening of the held-out part, offline == streaming
    bundle = load_audio2mouth(run.path)
    assert bundle.step == 60 and bundle.space.k == 6 and bundle.fps == 25.0
    from core.face.prepared import PreparedClip

    clip = PreparedClip.load(demo_clip)
    audio = clip.audio()
    offline = bundle.predict(audio, clip.frame_count)
    stream = bundle.stepper()
    frames = [f for i in range(0, len(audio), 640) for f in stream.push(audio[i : i + 640])] + stream.flush()
    online = np.stack([f.coeffs for f in frames])
    np.testing.assert_allclose(online, offline, atol=1e-3)
    truth = json.loads((demo_project / "media" / "demo_truth.json").read_text())["mouth_open"]
    split = int(clip.frame_count * 0.8)
    first = bundle.space.encode(clip.landmarks)[:, 0]
    sign = np.sign(np.corrcoef(first, truth)[0, 1])
    assert sign * np.corrcoef(offline[split:, 0], truth[split:])[0, 1] > 0.6


def test_resume_continues_at_the_saved_step(demo_clip, tmp_path):
    straight, _, run_a = _train([demo_clip], tmp_path / "a", max_steps=40)
    assert straight.ok
    first, _, run_b = _train([demo_clip], tmp_path / "b", max_steps=20)
    assert first.ok and load_checkpoint(run_b.checkpoints / "last.pt")["step"] == 20
    again, runner, _ = _train([demo_clip], tmp_path / "b", max_steps=40, resume=True)
    assert again.ok, again.error
    assert any("resumed at step 20" in e.message for e in runner.of_type(LogLine))
    assert {m.step for m in runner.of_type(Metric)} == {40}  # nothing before the saved step is redone
    a = load_checkpoint(run_a.checkpoints / "last.pt")
    b = load_checkpoint(run_b.checkpoints / "last.pt")
    assert b["step"] == 40
    for key, value in a["model"].items():  # same data order and dropout: as if never interrupted
        torch.testing.assert_close(b["model"][key], value, atol=1e-5, rtol=1e-5)


def test_clips_without_audio_are_refused_by_name(demo_clip, tmp_path):
    mute = variant_clip(demo_clip, tmp_path / "mute_take", None)
    result, _, _ = _train([demo_clip, mute], tmp_path / "run", max_steps=2)
    assert not result.ok and result.bad_input
    assert "mute_take" in result.error and "without audio" in result.error


def test_a_silent_clip_is_left_out_and_all_silent_is_refused(demo_clip, tmp_path):
    from core.face.prepared import PreparedClip

    n = len(PreparedClip.load(demo_clip).audio())
    quiet = variant_clip(demo_clip, tmp_path / "quiet_take", np.zeros(n, np.float32))
    result, runner, run = _train([demo_clip, quiet], tmp_path / "run", max_steps=2)
    assert result.ok, result.error
    warnings = [e.message for e in runner.of_type(LogLine) if e.level == "warning"]
    assert any("quiet_take" in w and "left out" in w for w in warnings)
    summary = json.loads((run.path / "summary.json").read_text())
    assert summary["clips"] == ["demo"] and set(summary["per_clip"]) == {"demo"}

    alone, _, _ = _train([quiet], tmp_path / "alone", max_steps=2)
    assert not alone.ok and alone.bad_input
    assert "quiet_take" in alone.error and "silent" in alone.error


def test_config_rejects_bad_values():
    with pytest.raises(ValueError):
        Audio2MouthConfig.model_validate({"kind": "lipsync"})
    with pytest.raises(ValueError):
        Audio2MouthConfig.model_validate({"kind": "audio2mouth", "train": {"holdout": 0.9}})
    with pytest.raises(ValueError):
        Audio2MouthConfig.model_validate({"kind": "audio2mouth", "train": {"stepz": 3}})


def test_diverging_settings_stop_the_run_with_a_clear_message(demo_clip, tmp_path):
    cfg = {**TINY, "train": {**TINY["train"], "lr": 1.0, "weight_decay": 1e30, "epoch_steps": 1}}
    result, _, run = _train([demo_clip], tmp_path / "run", max_steps=20, cfg=cfg)
    assert not result.ok and not result.bad_input  # a failed run (exit 1), never "finished"
    assert "NaN/inf" in result.error and "Training stopped at step" in result.error
    assert "train.lr" in result.error and "train.weight_decay" in result.error
    assert run.read_status()["state"] == "failed"
    # any checkpoint written before the failure holds finite weights only
    ckpt = run.checkpoints / "last.pt"
    if ckpt.is_file():
        assert all(torch.isfinite(v).all() for v in load_checkpoint(ckpt)["model"].values())
        assert str(ckpt) in result.error


def test_a_diverged_checkpoint_is_refused_when_loaded(demo_clip, tmp_path):
    from core.jobs.errors import BadInput
    from core.train.checkpoint import save_checkpoint

    result, _, run = _train([demo_clip], tmp_path / "run", max_steps=2)
    assert result.ok, result.error
    path = run.checkpoints / "last.pt"
    ckpt = load_checkpoint(path)
    ckpt["model"] = {k: v * float("nan") for k, v in ckpt["model"].items()}  # as old NaN runs were saved
    save_checkpoint(path, ckpt)
    with pytest.raises(BadInput, match="NaN/inf weights"):
        load_audio2mouth(run.path)


def test_cancel_saves_a_checkpoint_and_resume_matches_a_straight_run(demo_clip, tmp_path):
    from core.jobs.events import Progress
    from core.jobs.job import execute

    straight, _, run_a = _train([demo_clip], tmp_path / "a", max_steps=12)
    assert straight.ok
    config = Audio2MouthConfig.model_validate(TINY)
    run = RunFolder(tmp_path / "b").create("audio2mouth", config.model_dump(mode="json"))
    runner = CollectingRunner()

    def sink(event):
        runner.events.append(event)
        if isinstance(event, Progress) and event.step == 7:
            runner.control.cancel()

    result = execute(make_job(config, TrainRequest((demo_clip,), run, "cpu", 12)), sink, runner.control)
    run.close()
    assert result.status.value == "cancelled"
    assert load_checkpoint(run.checkpoints / "last.pt")["step"] == 7  # mid-epoch (epoch_steps 20)
    again, _, _ = _train([demo_clip], tmp_path / "b", max_steps=12, resume=True)
    assert again.ok, again.error
    a = load_checkpoint(run_a.checkpoints / "last.pt")["model"]
    b = load_checkpoint(run.checkpoints / "last.pt")["model"]
    for key, value in a.items():
        torch.testing.assert_close(b[key], value, atol=1e-5, rtol=1e-5)
