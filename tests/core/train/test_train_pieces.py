"""Stage schedules, the NaN guard and the AMP wrapper (CPU paths)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from pydantic import ValidationError

from core.train.amp import Amp, AmpSettings
from core.train.nan_guard import NonFiniteLoss, check_losses, non_finite_grads, non_finite_terms
from core.train.stages import StageConfig, plan_stages, stage_at, steps_for, total_steps


def test_epochs_become_steps_and_stages_chain() -> None:
    stages = [
        StageConfig(mouth_size=64, epochs=2, batch_size=16, lr_g=1e-4),
        StageConfig(mouth_size=96, steps=5, batch_size=8, lr_g=8e-5, lr_d=1e-5),
    ]
    plan = plan_stages(stages, train_samples=100)
    assert [p.steps for p in plan] == [13, 5]
    assert [p.start for p in plan] == [0, 13] and total_steps(plan) == 18
    assert plan[0].lr_d == 1e-4 and plan[1].lr_d == 1e-5  # lr_d 0 means "as lr_g"
    assert stage_at(plan, 12).index == 0 and stage_at(plan, 13).index == 1 and stage_at(plan, 99).index == 1
    assert steps_for(StageConfig(epochs=0.5, batch_size=3), 10) == 2


def test_max_steps_cuts_the_schedule() -> None:
    stages = [StageConfig(steps=4), StageConfig(steps=4), StageConfig(steps=4)]
    plan = plan_stages(stages, 10, max_steps=6)
    assert [(p.index, p.steps) for p in plan] == [(0, 4), (1, 2)]


def test_stage_needs_exactly_one_length() -> None:
    with pytest.raises(ValidationError):
        StageConfig(steps=3, epochs=1)
    with pytest.raises(ValidationError):
        StageConfig()


def test_nan_guard_names_terms_and_checkpoint() -> None:
    losses = {"pixel": torch.tensor(float("nan")), "gan": torch.tensor(0.3), "d": float("inf")}
    assert non_finite_terms(losses) == ["pixel", "d"]
    with pytest.raises(NonFiniteLoss, match=r"step 7: loss 'pixel', 'd' became NaN/inf.*ckpt/last.pt"):
        check_losses(losses, 7, Path("ckpt/last.pt"))
    check_losses({"pixel": torch.tensor(1.0)}, 1, None)


def test_non_finite_grads() -> None:
    p = torch.nn.Parameter(torch.ones(3))
    assert not non_finite_grads([p])
    p.grad = torch.tensor([1.0, float("inf"), 0.0])
    assert non_finite_grads([p])
    p.grad = torch.tensor([3e38, 3e38, -3e38])  # huge but finite: its norm overflows, the values do not
    assert not non_finite_grads([p])


def test_amp_is_a_no_op_on_cpu_and_accumulates() -> None:
    amp = Amp.create(AmpSettings(enabled=True), torch.device("cpu"))
    assert not amp.active and amp.scaler is None
    w = torch.nn.Parameter(torch.tensor([1.0]))
    opt = torch.optim.SGD([w], lr=0.1)
    for x in (1.0, 3.0):  # two micro-batches of one sample == one batch of two
        with amp.autocast():
            loss = (w * x).sum()
        amp.backward(loss, accumulation=2)
    assert torch.allclose(w.grad, torch.tensor([2.0]))
    assert amp.step(opt) and torch.allclose(w.detach(), torch.tensor([0.8]))
    assert amp.state_dict() == {}
