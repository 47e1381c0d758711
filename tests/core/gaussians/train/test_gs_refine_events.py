"""Densification reports become typed refine events: counts, Gaussians before/after, per region."""

from __future__ import annotations

import torch

from core.gaussians.train.strategies.default import DefaultStrategy
from core.gaussians.train.strategies.semantic import SemanticStrategy
from core.jobs.events import RefineStep, RegionRefine
from tests.core.gaussians.train.test_gs_strategies import _ctx, _setup


def _strategy(**kw) -> DefaultStrategy:
    args = dict(start_step=0, stop_step=100, every=1, grad_threshold=1e-3, opacity_reset_every=1000)
    return DefaultStrategy(**{**args, **kw})


def test_refine_event_counts_and_gaussians_before_after():
    params, extras, opt = _setup()
    with torch.no_grad():
        params["opacity_logits"].fill_(3.0)
        params["opacity_logits"][[0, 1]] = -10.0  # transparent, both on triangle 0: one is pruned
    extras["binding"] = torch.tensor([0, 0, 1, 1, 2, 3, 4, 5])  # the last of a triangle is never pruned
    strat = _strategy(min_opacity=0.005)
    grads = torch.tensor([0, 0, 2e-3, 0, 0, 0, 5e-3, 0.0])
    ctx = _ctx(params, extras, opt, grads, step=6)
    ctx.world_scales[6] = 0.5  # large: split
    event = strat.step_post_backward(ctx, strat.initialize_state(8, torch.device("cpu"))).event()
    assert isinstance(event, RefineStep)
    assert (event.step, event.cloned, event.split, event.pruned) == (7, 1, 1, 1)
    assert (event.gaussians_before, event.gaussians_after) == (8, 9)  # -1 pruned +1 clone +1 net split
    assert event.regions == ()  # no regions in the context
    assert event.describe() == "step 7: cloned 1, split 1, pruned 1 -> 9 Gaussians"


def test_a_quiet_step_reports_nothing_changed_and_equal_counts():
    params, extras, opt = _setup()
    strat = _strategy(every=50)
    report = strat.step_post_backward(
        _ctx(params, extras, opt, torch.zeros(8), 3), strat.initialize_state(8, "cpu")
    )
    assert not report.changed and report.gaussians_before == report.gaussians_after == 8


def test_semantic_strategy_reports_per_region():
    params, extras, opt = _setup(4)
    strat = SemanticStrategy(inner=_strategy(grad_threshold=1.5e-3, min_opacity=0.0), ratio=1.5)
    grads = torch.tensor(
        [1.2e-3, 1.2e-3, 1.2e-3, 3e-3]
    )  # only region ones pass 1.5e-3 / 1.5; #3 passes anyway
    region = torch.tensor([True, False, True, False])  # triangles 0 and 2
    ctx = _ctx(params, extras, opt, grads, 0, region_triangles=region)
    event = strat.step_post_backward(ctx, strat.initialize_state(4, "cpu")).event()
    assert event.cloned == 3 and event.gaussians_after == 7
    assert event.regions == (
        RegionRefine("semantic regions", cloned=2, split=0, pruned=0),
        RegionRefine("elsewhere", cloned=1, split=0, pruned=0),
    )
    assert "semantic regions +2 -0; elsewhere +1 -0" in event.describe()
