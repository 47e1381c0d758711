"""Densification ops and strategies: params and Adam state stay aligned; each rule picks what it should."""

from __future__ import annotations

import torch

from core.gaussians.binding import init_bound_gaussians
from core.gaussians.train import ops
from core.gaussians.train.config import GaussianConfig
from core.gaussians.train.params import from_bound, make_optimizer
from core.gaussians.train.strategies.base import StepContext
from core.gaussians.train.strategies.default import DefaultStrategy
from core.gaussians.train.strategies.factory import build_strategy
from core.gaussians.train.strategies.percentile import PercentileStrategy
from core.gaussians.train.strategies.semantic import SemanticStrategy


def _setup(n: int = 8, sh_degree: int = 1):
    torch.manual_seed(0)
    bound = init_bound_gaussians(n, sh_degree=sh_degree)
    params, extras = from_bound(bound, torch.device("cpu"))
    with torch.no_grad():
        params["local_means"].normal_()
    opt = make_optimizer(params, GaussianConfig().optim, extent=1.0)
    # one real Adam step so moments exist
    loss = sum((p * p).sum() for p in params.values())
    loss.backward()
    opt.step()
    return params, extras, opt


def _ctx(
    params, extras, opt, grads: torch.Tensor, step: int, world_scale: float = 0.001, **kw
) -> StepContext:
    n = grads.shape[0]
    means2d = torch.zeros(n, 2, requires_grad=True)
    means2d.grad = torch.stack([grads * 2.0 / 64.0, torch.zeros(n)], dim=-1)  # x-only, NDC-scaled below
    meta = {"means2d": means2d, "radii": torch.full((n, 2), 3, dtype=torch.int32)}
    return StepContext(
        step=step,
        params=params,
        optimizers=[opt],
        extras=extras,
        meta=meta,
        world_scales=torch.full((n, 3), world_scale),
        width=64,
        height=64,
        scene_extent=1.0,
        generator=torch.Generator().manual_seed(0),
        **kw,
    )


def test_ops_keep_params_extras_and_adam_state_aligned():
    params, extras, opt = _setup()
    state = {"grad2d": torch.arange(8.0), "count": torch.ones(8)}
    old_moment = opt.state[params["local_means"]]["exp_avg"].clone()
    mask = torch.zeros(8, dtype=torch.bool)
    mask[[1, 5]] = True
    ops.duplicate(params, [opt], mask, extras, state)
    assert ops.count(params) == 10 and extras["binding"].tolist()[-2:] == [1, 5]
    m = opt.state[params["local_means"]]["exp_avg"]
    assert m.shape == (10, 3) and torch.equal(m[:8], old_moment) and torch.all(m[8:] == 0)
    assert opt.param_groups[0]["params"][0] is params["local_means"]
    assert state["grad2d"].shape == (10,)
    ops.remove(params, [opt], extras["binding"] == 5, extras, state)
    assert ops.count(params) == 8 and 5 not in extras["binding"].tolist()
    assert opt.state[params["sh_rest"]]["exp_avg_sq"].shape == params["sh_rest"].shape


def test_split_samples_children_in_the_parents_triangle_with_smaller_scale():
    params, extras, opt = _setup()
    mask = torch.zeros(8, dtype=torch.bool)
    mask[3] = True
    scale_before = params["log_scales"][3].detach().clone()
    ops.split(params, [opt], mask, extras, {}, torch.Generator().manual_seed(1))
    assert ops.count(params) == 9
    assert extras["binding"].tolist().count(3) == 2
    children = extras["binding"] == 3
    assert torch.allclose(
        params["log_scales"][children], (scale_before - torch.log(torch.tensor(1.6))).expand(2, 3)
    )


def test_pruning_never_removes_the_last_gaussian_of_a_triangle():
    binding = torch.tensor([0, 0, 1, 2, 2, 2])
    opacity = torch.tensor([0.001, 0.002, 0.001, 0.9, 0.001, 0.001])
    prune = opacity < 0.005
    out = ops.last_of_triangle(prune, binding, opacity)
    assert out.tolist() == [True, False, False, False, True, True]


def test_default_clones_small_and_splits_large_above_threshold():
    params, extras, opt = _setup()
    strat = DefaultStrategy(
        start_step=0, stop_step=100, every=1, grad_threshold=1e-3, opacity_reset_every=1000, min_opacity=0.0
    )
    state = strat.initialize_state(8, torch.device("cpu"))
    grads = torch.tensor([0, 0, 2e-3, 0, 0, 0, 5e-3, 0.0])
    world = torch.full((8, 3), 0.001)
    world[6] = 0.5  # large: split
    ctx = _ctx(params, extras, opt, grads, step=0)
    ctx.world_scales = world
    report = strat.step_post_backward(ctx, state)
    assert (report.cloned, report.split) == (1, 1)
    assert ops.count(params) == 10  # +1 clone, +2 children -1 parent
    assert sorted(extras["binding"].tolist()) == [0, 1, 2, 2, 3, 4, 5, 6, 6, 7]
    assert torch.all(state["count"] == 0)  # statistics restart after a refinement


def test_smart_densification_clones_the_top_quartile_and_splits_the_top_decile():
    n = 40
    params, extras, opt = _setup(n)
    strat = PercentileStrategy(
        start_step=0, stop_step=100, every=1, opacity_reset_every=1000, min_opacity=0.0
    )
    state = strat.initialize_state(n, torch.device("cpu"))
    grads = torch.arange(1, n + 1, dtype=torch.float32) * 1e-5  # ranks 1..40
    ctx = _ctx(params, extras, opt, grads, step=0)
    clone, split = strat.select(grads, torch.ones(n, dtype=torch.bool), ctx)
    assert set(torch.nonzero(split).squeeze(1).tolist()) == set(range(36, 40))  # above the 90th percentile
    assert set(torch.nonzero(clone | split).squeeze(1).tolist()) == set(range(30, 40))  # top quartile
    report = strat.step_post_backward(ctx, state)
    assert (report.cloned, report.split) == (6, 4)
    # the default rule with its absolute threshold (2e-4) would clone every one of these
    d_clone, d_split = DefaultStrategy(grad_threshold=2e-4).select(
        grads, torch.ones(n, dtype=torch.bool), ctx
    )
    assert int((d_clone | d_split).sum()) == 40 - 19


def test_semantic_densification_divides_thresholds_for_region_gaussians():
    params, extras, opt = _setup(4)
    inner = DefaultStrategy(
        start_step=0, stop_step=100, every=1, grad_threshold=1.5e-3, opacity_reset_every=1000, min_opacity=0.0
    )
    strat = SemanticStrategy(inner=inner, ratio=1.5)
    state = strat.initialize_state(4, torch.device("cpu"))
    grads = torch.full((4,), 1.2e-3)  # below 1.5e-3 but above 1.5e-3 / 1.5
    region = torch.tensor([True, False, True, False])
    report = strat.step_post_backward(_ctx(params, extras, opt, grads, 0, region_triangles=region), state)
    assert report.cloned == 2 and sorted(extras["binding"].tolist()) == [0, 0, 1, 2, 2, 3]
    plain = DefaultStrategy(
        start_step=0, stop_step=100, every=1, grad_threshold=1.5e-3, opacity_reset_every=1000, min_opacity=0.0
    )
    p2, e2, o2 = _setup(4)
    assert plain.step_post_backward(_ctx(p2, e2, o2, grads, 0), plain.initialize_state(4, "cpu")).cloned == 0


def test_opacity_reset_and_factory():
    params, extras, opt = _setup()
    strat = DefaultStrategy(start_step=0, stop_step=100, every=50, opacity_reset_every=5)
    state = strat.initialize_state(8, torch.device("cpu"))
    with torch.no_grad():
        params["opacity_logits"].fill_(3.0)
    report = strat.step_post_backward(_ctx(params, extras, opt, torch.zeros(8), step=4), state)
    assert report.opacity_reset
    assert torch.allclose(torch.sigmoid(params["opacity_logits"]), torch.full((8,), 0.01), atol=1e-6)
    assert torch.all(opt.state[params["opacity_logits"]]["exp_avg"] == 0)
    cfg = GaussianConfig.model_validate(
        {"densify": {"strategy": "percentile"}, "innovations": {"semantic_densify": {"enabled": True}}}
    )
    s = build_strategy(cfg, 1000)
    assert isinstance(s, SemanticStrategy) and isinstance(s.inner, PercentileStrategy)
    assert s.inner.start_step == 50 and s.inner.stop_step == 600
    assert isinstance(build_strategy(GaussianConfig(), 1000), DefaultStrategy)
