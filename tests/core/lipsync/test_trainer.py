"""The dinet trainer on a tiny prepared clip: loss drops, resume is exact, NaN stops cleanly."""

from __future__ import annotations

import copy
import itertools
from pathlib import Path

import pytest
import torch

from core.jobs.collector import CollectingRunner
from core.jobs.events import LogLine, Metric
from core.lipsync import trainer as trainer_mod
from core.lipsync.train_config import DinetTrainConfig
from core.lipsync.trainer import DinetTrainJob
from core.train.checkpoint import load_checkpoint
from core.train.run_folder import RunFolder
from core.train.spec import TrainRequest
from tests.core.lipsync.prepared_fixture import build_prepared_clip, tiny_project_root


@pytest.fixture(scope="module")
def clip_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_prepared_clip(tiny_project_root(tmp_path_factory))


def tiny_config(steps: int, **train) -> DinetTrainConfig:
    return DinetTrainConfig.model_validate(
        {
            "model": {"variant": "mini", "mouth_size": 64},
            "loss": {"lamb_perception": 0.0, "lamb_mouth": 5.0},
            "augmentation": {"blur_kernel": 3, "noise_sigma": 2.0},
            "train": {
                "steps": steps,
                "batch_size": 4,
                "lr_g": 2e-3,
                "log_every": 1,
                "preview_every": 100,
                "checkpoint_every": 100,
                # one thread in every run: "auto" picks from the cores free at each start, and a
                # straight run and its resume on different thread counts differ in float rounding
                "cpu_threads": 1,
                **train,
            },
        }
    )


def run_job(
    cfg: DinetTrainConfig, clip: Path, run_dir: Path, resume: bool = False, max_steps: int | None = None
) -> tuple[DinetTrainJob, CollectingRunner]:
    run = RunFolder(run_dir)
    if not run_dir.exists():
        run.create("dinet", cfg.model_dump(mode="json"))
    job = DinetTrainJob(
        cfg, TrainRequest(clips=(clip,), run=run, device="cpu", resume=resume, max_steps=max_steps)
    )
    runner = CollectingRunner()
    result = runner.run(job)
    run.close()
    assert result.ok or not resume, result.error
    return job, runner


def metric(runner: CollectingRunner, name: str) -> list[float]:
    return [e.value for e in runner.of_type(Metric) if e.name == name]


def test_loss_drops_and_run_folder_is_filled(clip_dir: Path, tmp_path: Path) -> None:
    _job, runner = run_job(tiny_config(6, preview_every=6), clip_dir, tmp_path / "run")
    pixel = metric(runner, "loss/pixel")
    assert len(pixel) == 6
    assert pixel[-1] < 0.9 * pixel[0], pixel
    assert metric(runner, "held_out/psnr_mouth"), "held-out metrics missing"
    run = RunFolder(tmp_path / "run")
    names = {r["name"] for r in run.read_metrics()}
    assert {"loss/pixel", "loss/total", "loss/d", "perf/steps_per_s"} <= names
    assert list((tmp_path / "run" / "previews").glob("samples_*.png"))
    said = [e.message for e in runner.of_type(LogLine)]
    assert any(m.startswith("training mini on clip(s) tiny (") for m in said), said  # which clips: say so
    assert list((tmp_path / "run" / "tb").iterdir())
    ckpt = load_checkpoint(tmp_path / "run" / "checkpoints" / "last.pt")
    assert ckpt["step"] == 6 and len(ckpt["references"]["tiny"]) == 5


def test_resume_continues_at_saved_step_with_identical_state(
    clip_dir: Path,
    tmp_path: Path,
) -> None:
    cfg = tiny_config(4, checkpoint_every=2)
    straight, _ = run_job(cfg, clip_dir, tmp_path / "straight")
    run_job(cfg, clip_dir, tmp_path / "split", max_steps=2)
    saved = load_checkpoint(tmp_path / "split" / "checkpoints" / "last.pt")
    assert saved["step"] == 2

    loaded = {}
    original_load = trainer_mod.ts.TrainState.load

    def spy(self, ckpt):  # capture the optimizer state right after resuming
        original_load(self, ckpt)
        loaded["opt_g"] = copy.deepcopy(self.opt_g.state_dict())
        loaded["opt_d"] = copy.deepcopy(self.opt_d.state_dict())

    trainer_mod.ts.TrainState.load = spy
    try:
        resumed, runner = run_job(cfg, clip_dir, tmp_path / "split", resume=True)
    finally:
        trainer_mod.ts.TrainState.load = original_load
    steps = [e.step for e in runner.of_type(Metric) if e.name == "loss/total"]
    assert steps == [3, 4]
    for key in ("opt_g", "opt_d"):
        for pid, st in saved[key]["state"].items():
            for name, value in st.items():
                torch.testing.assert_close(loaded[key]["state"][pid][name], value, rtol=0, atol=0)
    a = straight.state.generator.state_dict()
    b = resumed.state.generator.state_dict()
    for k in a:
        torch.testing.assert_close(b[k], a[k], rtol=1e-5, atol=1e-6, msg=lambda m, k=k: f"{k}: {m}")


def test_nan_stops_with_message_and_keeps_last_good_checkpoint(
    clip_dir: Path,
    tmp_path: Path,
    monkeypatch,
) -> None:
    calls = {"n": 0}
    original = trainer_mod.Objectives.generator

    def poisoned(self, *args, **kwargs):
        terms = original(self, *args, **kwargs)
        calls["n"] += 1
        if calls["n"] == 3:  # step 3 (0-based 2) goes bad
            terms["pixel"] = terms["pixel"] * float("nan")
            terms["total"] = terms["total"] * float("nan")
        return terms

    monkeypatch.setattr(trainer_mod.Objectives, "generator", poisoned)
    run_dir = tmp_path / "run"
    _job, runner = run_job(tiny_config(6, checkpoint_every=2), clip_dir, run_dir)
    failed = [e for e in runner.events if type(e).__name__ == "JobFailed"]
    assert failed and "NaN/inf" in failed[0].message and "'pixel'" in failed[0].message
    assert "last.pt" in failed[0].message and "step 2" in failed[0].message
    ckpt = load_checkpoint(run_dir / "checkpoints" / "last.pt")
    assert ckpt["step"] == 2
    assert all(torch.isfinite(v).all() for v in ckpt["generator"].values() if v.is_floating_point())


def test_missing_vgg_weights_is_bad_input_before_training(clip_dir: Path, tmp_path: Path) -> None:
    cfg = tiny_config(2).derive(loss={"lamb_perception": 1.0, "vgg19_path": str(tmp_path / "nope.pth")})
    run = RunFolder(tmp_path / "run").create("dinet", {})
    result = CollectingRunner().run(DinetTrainJob(cfg, TrainRequest((clip_dir,), run, device="cpu")))
    assert result.bad_input and "nope.pth" in result.error
    # the message names the job file's own keys (the TOML table and field), as a user types them
    assert "(loss.vgg19_path)" in result.error and "loss.lamb_perception" in result.error
    assert not (tmp_path / "run" / "checkpoints" / "last.pt").exists()


def assert_trains_identically(clip_dir: Path, tmp_path: Path, switch: str) -> None:
    """Three steps with the train switch on and off end in bit-identical generator weights."""
    on, _ = run_job(tiny_config(3, **{switch: True}), clip_dir, tmp_path / "on")
    off, _ = run_job(tiny_config(3, **{switch: False}), clip_dir, tmp_path / "off")
    a, b = on.state.generator.state_dict(), off.state.generator.state_dict()
    for k in a:
        torch.testing.assert_close(a[k], b[k], rtol=0, atol=0, msg=lambda m, k=k: f"{k}: {m}")


def test_prefetched_batches_train_exactly_like_inline_ones(clip_dir: Path, tmp_path: Path) -> None:
    assert_trains_identically(clip_dir, tmp_path, "prefetch")


def test_retained_heap_trains_exactly_like_glibc_defaults(clip_dir: Path, tmp_path: Path) -> None:
    assert_trains_identically(clip_dir, tmp_path, "retain_heap")


def test_gan_term_and_critic_update_on_their_own_cadences(clip_dir: Path, tmp_path: Path) -> None:
    cfg = tiny_config(4).model_validate(
        {**tiny_config(4).model_dump(), "discriminator": {"update_every": 4, "gan_term_every": 2}}
    )
    _job, runner = run_job(cfg, clip_dir, tmp_path / "run")
    steps = lambda name: [e.step for e in runner.of_type(Metric) if e.name == name]  # noqa: E731
    assert steps("loss/gan") == [1, 3]  # global steps 0 and 2, logged after the step
    assert steps("loss/d") == [1]
    assert steps("loss/pixel") == [1, 2, 3, 4]


def test_stage_change_rebuilds_generator_at_new_size(clip_dir: Path, tmp_path: Path) -> None:
    base = tiny_config(1).model_dump()
    base["train"]["stages"] = [
        {"mouth_size": 64, "steps": 1, "batch_size": 2, "lr_g": 1e-3},
        {"mouth_size": 96, "steps": 1, "batch_size": 2, "lr_g": 5e-4},
    ]
    cfg = DinetTrainConfig.model_validate(base)
    job, runner = run_job(cfg, clip_dir, tmp_path / "run")
    assert job.state is not None and job.state.mouth_size == 96 and job.state.stage == 1
    assert load_checkpoint(tmp_path / "run" / "checkpoints" / "last.pt")["mouth_size"] == 96
    assert [e.value for e in runner.of_type(Metric) if e.name == "lr/generator"] == [1e-3, 5e-4]


@pytest.mark.parametrize(
    "bad", [{"train": {"steps": 2, "epochs": 1}}, {"train": {"stages": [{"mouth_size": 72, "steps": 1}]}}]
)
def test_config_errors(bad: dict) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        DinetTrainConfig.model_validate(bad)


def test_attention_and_temporal_loss_train_and_preview_maps(clip_dir: Path, tmp_path: Path) -> None:
    base = tiny_config(1, batch_size=1, clip_frames=3, preview_every=1).model_dump()
    base["model"]["attention"] = {"spatial_channel": True, "mouth": True, "multi_scale": True, "fusion": True}
    base["loss"]["lamb_temporal"] = 1.0
    _job, runner = run_job(DinetTrainConfig.model_validate(base), clip_dir, tmp_path / "run")
    assert metric(runner, "loss/temporal") and metric(runner, "loss/temporal")[0] > 0
    previews = {e.name: e.image for e in runner.events if type(e).__name__ == "Preview"}
    assert previews["attention"].ndim == 3 and previews["attention"].shape[2] == 3
    assert list((tmp_path / "run" / "previews").glob("attention_*.png"))


def test_cosine_schedule_anneals_the_learning_rates(clip_dir: Path, tmp_path: Path) -> None:
    cfg = tiny_config(5, lr_schedule="cosine", lr_final=0.25)
    job, runner = run_job(cfg, clip_dir, tmp_path / "run")
    lrs = metric(runner, "lr/generator")
    assert lrs[0] == pytest.approx(2e-3) and lrs[-1] == pytest.approx(0.25 * 2e-3)
    assert all(a > b for a, b in itertools.pairwise(lrs))
    opt_d = job.state.opt_d if job.state else None
    assert opt_d is not None and opt_d.param_groups[0]["lr"] == pytest.approx(0.25 * cfg.train.lr_g)


def test_weight_average_is_saved_rendered_with_and_resumed(clip_dir: Path, tmp_path: Path) -> None:
    from core.lipsync.inference import load_renderer

    cfg = tiny_config(4, checkpoint_every=2, ema_decay=0.9)
    straight, _ = run_job(cfg, clip_dir, tmp_path / "straight")
    ckpt = load_checkpoint(tmp_path / "straight" / "checkpoints" / "last.pt")
    assert ckpt["ema_count"] == 4
    raw, avg = ckpt["generator"], ckpt["generator_ema"]
    assert any(not torch.equal(raw[k], avg[k]) for k in raw if raw[k].is_floating_point())
    loaded = load_renderer(tmp_path / "straight").net.state_dict()
    assert all(torch.equal(loaded[k], avg[k]) for k in avg)  # renders use the average
    run_job(cfg, clip_dir, tmp_path / "split", max_steps=2)
    resumed, _ = run_job(cfg, clip_dir, tmp_path / "split", resume=True)
    assert resumed.state is not None and straight.state is not None
    assert resumed.state.ema is not None and straight.state.ema is not None
    assert resumed.state.ema.count == 4
    for k, v in straight.state.ema.weights.items():
        torch.testing.assert_close(resumed.state.ema.weights[k], v)
