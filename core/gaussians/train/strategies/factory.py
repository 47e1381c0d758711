"""Build the densification strategy a config asks for (fractions of the step budget -> steps)."""

from __future__ import annotations

from core.gaussians.train.config import GaussianConfig
from core.gaussians.train.strategies.base import Strategy
from core.gaussians.train.strategies.default import DefaultStrategy
from core.gaussians.train.strategies.percentile import PercentileStrategy
from core.gaussians.train.strategies.semantic import SemanticStrategy

SHARED_FIELDS = {  # [densify] fields every strategy takes under the same name
    "every",
    "opacity_reset_every",
    "grad_threshold",
    "percent_dense",
    "min_opacity",
    "max_gaussians",
}


def build_strategy(cfg: GaussianConfig, total_steps: int) -> Strategy:
    d = cfg.densify
    common = dict(
        start_step=int(d.start * total_steps),
        stop_step=int(d.stop * total_steps),
        **d.model_dump(include=SHARED_FIELDS),
    )
    inner: DefaultStrategy
    if d.strategy == "percentile":
        inner = PercentileStrategy(
            **common, clone_percentile=d.clone_percentile, split_percentile=d.split_percentile
        )
    else:
        inner = DefaultStrategy(**common)
    sem = cfg.innovations.semantic_densify
    if sem.enabled:
        return SemanticStrategy(inner=inner, ratio=sem.ratio)
    return inner
