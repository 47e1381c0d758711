"""The Gaussian trainer on a tiny synthetic avatar: loss falls, resume is exact, events, innovations."""

from __future__ import annotations

import json
import math

import pytest
import torch

from core.gaussians.train.bundle import AVATAR_FILE, load_bundle
from core.gaussians.train.config import GaussianConfig
from core.gaussians.train.trainer import CHECKPOINT, GaussianTrainJob
from core.jobs.collector import CollectingRunner
from core.jobs.events import Metric, Preview, Progress, RefineStep
from core.train.checkpoint import load_checkpoint
from core.train.run_folder import RunFolder
from core.train.spec import TrainRequest


def _cfg(**sections) -> GaussianConfig:
    base = {
        "data": {"resolution": 32},
        "densify": {
            "start": 0.0,
            "stop": 1.0,
            "every": 5,
            "opacity_reset_every": 1000,
            "grad_threshold": 1e-6,
            "max_gaussians": 150,
        },
        "train": {
            "steps": 30,
            "sh_degree": 1,
            "sh_increase_every": 20,
            "renderer": "torch",
            "log_every": 1,
            "preview_every": 20,
            "checkpoint_every": 1000,
            "cpu_threads": 1,  # resume is compared bit-exact: every run on the same thread count
        },
    }
    for k, v in sections.items():
        base.setdefault(k, {}).update(v)
    return GaussianConfig.model_validate(base)


def _run(tmp_path, cfg, data, name="run", resume=False, runner=None, max_steps=None, evaluate=False):
    run = RunFolder(tmp_path / name)
    if not run.path.exists():
        run.create("gaussian", cfg.model_dump(mode="json"))
    req = TrainRequest(clips=(tmp_path,), run=run, device="cpu", resume=resume, max_steps=max_steps)
    runner = runner or CollectingRunner()
    result = runner.run(GaussianTrainJob(cfg, req, data_loader=lambda clip, c: data, evaluate=evaluate))
    return run, runner, result


def _losses(runner, name="train/photometric"):
    return [e.value for e in runner.of_type(Metric) if e.name == name]


def test_baseline_loss_falls_and_events_are_reported(tmp_path, avatar_data):
    torch.manual_seed(0)
    run, runner, result = _run(tmp_path, _cfg(), avatar_data, evaluate=True)
    assert result.ok, result.error
    losses = _losses(runner)
    assert len(losses) == 30
    assert sum(losses[-8:]) / 8 < 0.6 * sum(losses[:8]) / 8
    names = {e.name for e in runner.of_type(Metric)}
    assert {"train/loss", "train/gaussians", "train/iter_per_s", "train/xyz_reg", "eval/psnr"} <= names
    previews = runner.of_type(Preview)
    assert len(previews) == 2 and previews[0].image.shape == (32, 64, 3)
    assert runner.of_type(Progress)[-1].step == 30
    assert any(e.cloned or e.split for e in runner.of_type(RefineStep))  # densification happened
    counts = [e.value for e in runner.of_type(Metric) if e.name == "train/gaussians"]
    assert counts[-1] > counts[0]
    scores = json.loads((run.path / "eval.json").read_text())
    assert scores["lpips"] == "unavailable" and "not found" in scores["lpips_note"]
    assert scores["psnr"] > 15.0 and scores["gaussians"] == counts[-1] and scores["render_fps"] > 0
    # the face-only figures: the shared background is left out, so the face scores lower, and by
    # at least what the full image's background dilutes (full MSE >= face fraction x face MSE)
    assert scores["face_lpips"] == "unavailable" and 0.0 < scores["face_fraction"] < 1.0
    assert scores["face_psnr"] < scores["psnr"]
    assert scores["face_psnr"] >= scores["psnr"] + 10 * math.log10(scores["face_fraction"]) - 1e-6
    assert 0.0 < scores["face_ssim"] < 1.0 and scores["face_ssim"] != scores["ssim"]
    assert "eval/face_psnr" in names
    avatar = load_bundle(run.path / AVATAR_FILE)
    assert avatar.count == counts[-1] and int(avatar.bound.binding.max()) < 50
    assert (run.path / "metrics.jsonl").is_file() and list(run.previews.glob("heldout_*.png"))


def test_resume_after_cancel_is_bit_exact(tmp_path, avatar_data):
    cfg = _cfg(train={"steps": 12})
    _, _, full = _run(tmp_path, cfg, avatar_data, name="full")
    assert full.ok
    straight = load_checkpoint(tmp_path / "full" / "checkpoints" / CHECKPOINT)

    runner = CollectingRunner()

    def sink(event):
        runner.events.append(event)
        if isinstance(event, Progress) and event.step == 5:
            runner.control.cancel()

    class CancellingRunner(CollectingRunner):
        def run(self, job):
            from core.jobs.job import execute

            return execute(job, sink, runner.control)

    _, _, cancelled = _run(tmp_path, cfg, avatar_data, name="split", runner=CancellingRunner())
    assert cancelled.status.value == "cancelled"
    mid = load_checkpoint(tmp_path / "split" / "checkpoints" / CHECKPOINT)
    assert mid["step"] == 5
    _, _, resumed = _run(tmp_path, cfg, avatar_data, name="split", resume=True)
    assert resumed.ok
    after = load_checkpoint(tmp_path / "split" / "checkpoints" / CHECKPOINT)
    assert after["step"] == straight["step"] == 12
    for k, v in straight["params"].items():
        assert torch.equal(v, after["params"][k]), k
    assert torch.equal(straight["extras"]["binding"], after["extras"]["binding"])
    s_opt, a_opt = straight["optimizer"]["state"], after["optimizer"]["state"]
    for i in s_opt:
        assert torch.equal(s_opt[i]["exp_avg_sq"], a_opt[i]["exp_avg_sq"])


def test_progressive_resolution_renders_at_the_scheduled_size(tmp_path, avatar_data):
    cfg = _cfg(train={"steps": 10}, innovations={"progressive": {"enabled": True}})
    _, runner, result = _run(tmp_path, cfg, avatar_data)
    assert result.ok, result.error
    sizes = [int(v) for v in _losses(runner, "train/resolution")]
    assert sizes == [16, 16, 16, 24, 24, 24, 32, 32, 32, 32]


def test_all_innovations_together_train_and_change_their_parts(tmp_path, avatar_data):
    cfg = _cfg(
        train={"steps": 12},
        densify={"strategy": "percentile"},
        innovations={
            "region_weights": {"enabled": True},
            "semantic_densify": {"enabled": True},
            "color_calibration": {"enabled": True},
            "contrastive": {"enabled": True},
            "temporal": {"enabled": True},
        },
    )
    run, runner, result = _run(tmp_path, cfg, avatar_data)
    assert result.ok, result.error
    names = {e.name for e in runner.of_type(Metric)}
    assert {"train/calibration_reg", "train/contrastive", "train/temporal"} <= names
    contrast = _losses(runner, "train/contrastive")
    assert contrast[0] == 0.0 and contrast[-1] != 0.0  # the cache filled after the first step
    avatar = load_bundle(run.path / AVATAR_FILE)
    assert [i.name for i in avatar.innovations] == ["temporal", "color_calibration"]
    corrections = avatar.innovation("temporal").corrections.params
    assert float(corrections.abs().sum()) > 0.0  # the per-frame mesh corrections were trained
    ckpt = load_checkpoint(run.checkpoints / CHECKPOINT)
    assert len(ckpt["innovations"]["contrastive"]["cache"]) == 2


def test_perceptual_without_weights_fails_before_training(tmp_path, avatar_data):
    cfg = _cfg(innovations={"perceptual": {"enabled": True, "vgg19_path": str(tmp_path / "missing.pth")}})
    run, _runner, result = _run(tmp_path, cfg, avatar_data)
    assert result.bad_input and "VGG19" in result.error
    assert not (run.checkpoints / CHECKPOINT).exists()


@pytest.mark.parametrize(
    "bad",
    [
        {"densify": {"start": 0.8, "stop": 0.2}},
        {"innovations": {"progressive": {"scales": [0.5, 1.0], "milestones": [0.2, 0.4]}}},
    ],
)
def test_config_rejects_inconsistent_values(bad):
    with pytest.raises(ValueError):
        GaussianConfig.model_validate(bad)


def test_huge_loss_weight_stops_the_run_and_keeps_the_last_good_checkpoint(tmp_path, avatar_data):
    good = _cfg(train={"steps": 8, "checkpoint_every": 2})
    _, _, first = _run(tmp_path, good, avatar_data, max_steps=4)
    assert first.ok, first.error
    bad = _cfg(train={"steps": 8, "checkpoint_every": 2}, loss={"l1": 1e39})  # the loss overflows to inf
    run, _, result = _run(tmp_path, bad, avatar_data, resume=True)
    assert not result.ok and not result.bad_input
    path = run.checkpoints / CHECKPOINT
    assert "Training stopped at step 4: loss 'total' became NaN/inf" in result.error
    assert str(path) in result.error and "loss weights" in result.error
    ckpt = load_checkpoint(path)
    assert ckpt["step"] == 4 and ckpt["kind"] == "gaussian"
    assert all(torch.isfinite(v).all() for v in ckpt["params"].values())
    assert load_bundle(run.path / AVATAR_FILE).steps == 4  # the avatar of the good run is not replaced


def test_held_out_quality_and_learning_rate_are_reported_while_training(tmp_path, avatar_data):
    """The panel's Quality and Learning-rate plots get points during the run, not only at its end."""
    torch.manual_seed(0)
    cfg = _cfg(train={"eval_every": 10})
    _, runner, result = _run(tmp_path, cfg, avatar_data, evaluate=True)
    assert result.ok, result.error
    psnr = [(e.step, e.value) for e in runner.of_type(Metric) if e.name == "eval/psnr"]
    assert [s for s, _ in psnr] == [10, 20, 30]  # two quick evaluations, then the full one at the end
    assert all(10.0 < v < 60.0 for _, v in psnr)
    assert psnr[-1][1] > psnr[0][1]  # it learns
    lrs = [e.value for e in runner.of_type(Metric) if e.name == "lr/position"]
    assert len(lrs) == 30 and lrs[-1] < lrs[0] and all(v > 0 for v in lrs)  # the decaying schedule
