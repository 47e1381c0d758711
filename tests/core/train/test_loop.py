"""The one training loop on a tiny kind (a linear model): cancel/resume, pause, NaN guard, cadences."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import torch

from core.jobs.collector import CollectingRunner
from core.jobs.events import Artifact, LogLine, Metric, Progress
from core.jobs.job import Job, execute
from core.train.checkpoint import load_checkpoint, make_header, save_checkpoint
from core.train.loop import LoopContext, LoopSettings, StepOutput, TrainHooks, run_training
from core.train.run_folder import RunFolder
from core.train.spec import TrainRequest


class TinyKind(TrainHooks):
    """y = x @ w_true, learned by SGD with momentum; each step's batch is drawn from the step index."""

    def __init__(self, total: int = 10, poison_at: int | None = None, blow_up_at: int | None = None) -> None:
        self.total = total
        self.poison_at = poison_at  # the loss of this step is NaN
        self.blow_up_at = blow_up_at  # after this step a weight is inf, the loss still finite
        self.calls: dict[str, list[int]] = {"preview": [], "evaluate": [], "save": []}
        self.init_noise: torch.Tensor | None = None

    def setup(self, lc: LoopContext) -> int:
        self.init_noise = torch.rand(3)  # drawn after the loop seeded
        return self.total

    def init(self, lc: LoopContext, checkpoint: dict | None) -> None:
        self.w = torch.nn.Parameter(torch.zeros(3))
        self.opt = torch.optim.SGD([self.w], lr=0.1, momentum=0.9)
        if checkpoint is not None:
            self.w.data.copy_(checkpoint["w"])
            self.opt.load_state_dict(checkpoint["opt"])

    def train_step(self, lc: LoopContext) -> StepOutput:
        g = torch.Generator().manual_seed(1000 + lc.step)
        x = torch.randn(8, 3, generator=g)
        y = x @ torch.tensor([1.0, -2.0, 0.5])
        loss = ((x @ self.w - y) ** 2).mean()
        if lc.step == self.poison_at:
            loss = loss * float("nan")
        lc.check_losses({"mse": loss})
        self.opt.zero_grad()
        loss.backward()
        lc.check_grads([self.w])
        self.opt.step()
        if lc.step == self.blow_up_at:
            with torch.no_grad():
                self.w[0] = float("inf")
        value = float(loss.detach())
        return StepOutput({"loss/mse": value}, f"mse {value:.3f}", stage_end=lc.step + 1 == 3)

    def state_dict(self, lc: LoopContext) -> dict:
        self.calls["save"].append(lc.step)
        return {"w": self.w.detach().clone(), "opt": self.opt.state_dict()}

    def weights(self) -> list[torch.Tensor]:
        return [self.w]

    def preview(self, lc: LoopContext) -> None:
        self.calls["preview"].append(lc.step)

    def evaluate(self, lc: LoopContext) -> None:
        self.calls["evaluate"].append(lc.step)
        lc.metric("held_out/score", 1.0)


class TinyJob(Job):
    name = "train tiny"

    def __init__(self, kind: TinyKind, request: TrainRequest, **settings) -> None:
        self.kind, self.request = kind, request
        base = {"seed": 0, "config": {"lr": 0.1}, "log_every": 1, "checkpoint_every": 100}
        self.settings = LoopSettings(
            kind="tiny", nan_hint="lower the tiny learning rate", **{**base, **settings}
        )

    def run(self, ctx):
        return run_training(self.kind, ctx, self.request, self.settings)


def _request(path: Path, resume: bool = False) -> TrainRequest:
    run = RunFolder(path)
    if not path.exists():
        run.create("tiny", {})
    return TrainRequest(clips=(), run=run, device="cpu", resume=resume)


def _train(path: Path, kind: TinyKind, resume: bool = False, runner=None, **settings):
    runner = runner or CollectingRunner()
    req = _request(path, resume)
    try:
        result = runner.run(TinyJob(kind, req, **settings))
    finally:
        req.run.close()
    return result, runner


def _cancel_at(step: int) -> CollectingRunner:
    """A runner that cancels when progress reaches `step` (the loop stops before the next step)."""
    runner = CollectingRunner()

    def sink(event):
        runner.events.append(event)
        if isinstance(event, Progress) and event.step == step:
            runner.control.cancel()

    runner.run = lambda job: execute(job, sink, runner.control)  # type: ignore[method-assign]
    return runner


def test_cancel_saves_and_resume_matches_an_uninterrupted_run(tmp_path: Path) -> None:
    straight = TinyKind()
    assert _train(tmp_path / "a", straight)[0].ok

    result, _ = _train(tmp_path / "b", TinyKind(), runner=_cancel_at(6))
    assert result.status.value == "cancelled"
    assert load_checkpoint(tmp_path / "b" / "checkpoints" / "last.pt")["step"] == 6
    assert RunFolder(tmp_path / "b").read_status()["state"] == "cancelled"

    resumed = TinyKind()
    result, runner = _train(tmp_path / "b", resumed, resume=True)
    assert result.ok, result.error
    assert any("resumed at step 6" in e.message for e in runner.of_type(LogLine))
    assert [e.step for e in runner.of_type(Progress)] == [7, 8, 9, 10]
    assert torch.equal(resumed.w.detach(), straight.w.detach())  # bit-exact: momentum state was saved
    ckpt = load_checkpoint(tmp_path / "b" / "checkpoints" / "last.pt")
    assert ckpt["step"] == 10 and torch.equal(ckpt["w"], straight.w.detach())
    assert (
        ckpt["format"] == "dhstudio.checkpoint" and ckpt["kind"] == "tiny" and ckpt["config"] == {"lr": 0.1}
    )


def test_pause_blocks_between_steps_until_resumed(tmp_path: Path) -> None:
    runner = CollectingRunner()
    reached = threading.Event()

    def sink(event):
        runner.events.append(event)
        if isinstance(event, Progress) and event.step == 3:
            runner.control.pause()
            reached.set()

    req = _request(tmp_path / "run")
    out: dict = {}
    worker = threading.Thread(
        target=lambda: out.update(r=execute(TinyJob(TinyKind(), req), sink, runner.control))
    )
    worker.start()
    assert reached.wait(10)
    worker.join(0.5)
    assert worker.is_alive(), "a paused run must block"
    assert [e.step for e in runner.of_type(Progress)] == [1, 2, 3]
    runner.control.resume()
    worker.join(10)
    req.run.close()
    assert not worker.is_alive() and out["r"].ok
    assert runner.of_type(Progress)[-1].step == 10


def test_nan_loss_stops_with_the_step_the_checkpoint_and_the_fix(tmp_path: Path) -> None:
    kind = TinyKind(poison_at=5)
    result, runner = _train(tmp_path / "run", kind, checkpoint_every=2)
    assert result.status.value == "failed" and not result.bad_input
    path = tmp_path / "run" / "checkpoints" / "last.pt"
    assert "Training stopped at step 5: loss 'mse' became NaN/inf" in result.error
    assert f"The last good checkpoint is kept: {path}" in result.error
    assert "lower the tiny learning rate" in result.error and "--resume" in result.error
    ckpt = load_checkpoint(path)
    assert ckpt["step"] == 4 and torch.isfinite(ckpt["w"]).all()
    assert RunFolder(tmp_path / "run").read_status()["state"] == "failed"
    assert not runner.of_type(Artifact)


def test_non_finite_weights_are_never_saved(tmp_path: Path) -> None:
    kind = TinyKind(blow_up_at=7)  # a weight is inf after the 8th step, whose checkpoint is then refused
    result, _ = _train(tmp_path / "run", kind, checkpoint_every=4)
    assert "Training stopped at step 8: the weights became NaN/inf" in result.error
    ckpt = load_checkpoint(tmp_path / "run" / "checkpoints" / "last.pt")
    assert ckpt["step"] == 4 and torch.isfinite(ckpt["w"]).all()


def test_cadences(tmp_path: Path) -> None:
    kind = TinyKind(total=10)
    result, runner = _train(
        tmp_path / "run", kind, log_every=3, preview_every=4, eval_every=5, checkpoint_every=4
    )
    assert result.ok, result.error
    assert [m.step for m in runner.of_type(Metric) if m.name == "loss/mse"] == [3, 6, 9, 10]
    assert [m.step for m in runner.of_type(Metric) if m.name == "perf/steps_per_s"] == [3, 6, 9, 10]
    assert kind.calls["preview"] == [4, 8, 10]
    assert kind.calls["evaluate"] == [5, 10]
    assert kind.calls["save"] == [3, 4, 8, 10]  # every 4, the stage end (3) and the end
    rows = RunFolder(tmp_path / "run").read_metrics()
    assert {(r["name"], r["step"]) for r in rows} >= {("held_out/score", 5), ("loss/mse", 9)}
    assert [a.kind for a in runner.of_type(Artifact)] == ["checkpoint"]


def test_seeded_once_before_the_kind_builds_anything(tmp_path: Path) -> None:
    a, b, c = TinyKind(total=1), TinyKind(total=1), TinyKind(total=1)
    torch.manual_seed(123)  # whatever the caller did before
    _train(tmp_path / "a", a)
    _train(tmp_path / "b", b)
    _train(tmp_path / "c", c, seed=7)
    assert torch.equal(a.init_noise, b.init_noise) and not torch.equal(a.init_noise, c.init_noise)


def test_resume_without_a_checkpoint_warns_and_starts_at_zero(tmp_path: Path) -> None:
    result, runner = _train(tmp_path / "run", TinyKind(total=3), resume=True)
    assert result.ok
    warnings = [e.message for e in runner.of_type(LogLine) if e.level == "warning"]
    assert any("no checkpoint" in w and "starting from step 0" in w for w in warnings)
    assert [e.step for e in runner.of_type(Progress)] == [1, 2, 3]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (make_header("gaussian", 3, {}), "is a 'gaussian' checkpoint, not a tiny one"),
        ({**make_header("tiny", 3, {}), "format_version": 99}, "newer Digital Human Studio"),
        (make_header("tiny", 3, {}, kind_version=5), "newer than this studio's 1"),
        ({"w": torch.zeros(3)}, "not a Digital Human Studio training checkpoint"),
    ],
)
def test_resume_refuses_other_kinds_and_newer_versions(tmp_path: Path, header: dict, expected: str) -> None:
    run = RunFolder(tmp_path / "run").create("tiny", {})
    save_checkpoint(run.checkpoints / "last.pt", header)
    result, _ = _train(tmp_path / "run", TinyKind(), resume=True)
    assert result.bad_input and expected in result.error, result.error


def test_settings_of_a_config_take_its_seed_dump_and_cadences():
    from core.gaussians.train.config import GaussianConfig

    cfg = GaussianConfig()
    s = LoopSettings.of_config("gaussian", cfg, "lower the weights", checkpoint_every=7)
    assert (s.kind, s.seed, s.nan_hint) == ("gaussian", cfg.train.seed, "lower the weights")
    assert s.config == cfg.model_dump(mode="json")
    assert (s.log_every, s.preview_every) == (cfg.train.log_every, cfg.train.preview_every)
    assert s.checkpoint_every == 7 and s.eval_every == cfg.train.eval_every  # `fields` win
    from core.lipsync.train_config import DinetTrainConfig

    lipsync = LoopSettings.of_config("dinet", DinetTrainConfig.model_validate({"train": {"steps": 5}}), "")
    assert lipsync.eval_every == 0  # a cadence its config does not declare keeps the default
