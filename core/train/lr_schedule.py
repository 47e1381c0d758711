"""Learning-rate schedules within a stage: the factor on the stage's learning rate at each step.

A short CPU run ends far from convergence; at a constant, large learning rate the last weights
are one noisy Adam step away from a better point. Annealing the rate over the stage's last
steps lets them settle (held-out mouth PSNR and sharpness, benchmarks/bench_sharp_mouth.py).
The schedules are entries of `LR_SCHEDULES` (name -> factor function); configs name one.

    >>> round(lr_factor("cosine", 50, 101, final=0.1), 3), lr_factor("constant", 99, 101)
    (0.55, 1.0)
"""

from __future__ import annotations

import math
from collections.abc import Callable

# factor(progress in [0, 1], final factor) -> multiplier of the stage's learning rate
LR_SCHEDULES: dict[str, Callable[[float, float], float]] = {
    "constant": lambda progress, final: 1.0,
    # half a cosine from 1 down to `final` over the stage
    "cosine": lambda progress, final: final + (1.0 - final) * 0.5 * (1.0 + math.cos(math.pi * progress)),
}


def lr_factor(schedule: str, step_in_stage: int, stage_steps: int, final: float = 0.1) -> float:
    """The multiplier of a stage's learning rate at its `step_in_stage`-th step (0-based)."""
    if schedule not in LR_SCHEDULES:
        raise ValueError(f"unknown learning-rate schedule {schedule!r}; allowed: {sorted(LR_SCHEDULES)}")
    progress = min(max(step_in_stage, 0) / max(stage_steps - 1, 1), 1.0)
    return LR_SCHEDULES[schedule](progress, final)
