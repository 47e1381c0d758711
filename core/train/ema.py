"""An exponential moving average of a model's weights: the weights a short run is evaluated with.

At the learning rates a short CPU run needs, the last weights are one noisy Adam step away from
where training was heading; their running average is smoother and scores better held out. The
average covers every floating-point tensor of the state dict (weights and batch-norm running
statistics); integer buffers (batch counters) are copied. Its decay warms up as
min(decay, (1 + n) / (10 + n)) so the first steps' random weights fade quickly.

    >>> model = torch.nn.Linear(2, 2)
    >>> avg = WeightAverage.of(model, decay=0.99)
    >>> avg.update(model)  # after each optimizer step
    >>> avg.count, type(avg.averaged(model)).__name__
    (1, 'Linear')
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import torch


@dataclass
class WeightAverage:
    decay: float
    weights: dict[str, torch.Tensor]  # the averaged state dict
    count: int = 0  # updates so far

    @classmethod
    def of(cls, module: torch.nn.Module, decay: float) -> WeightAverage:
        if not 0.0 < decay < 1.0:
            raise ValueError(f"decay must be in (0, 1), got {decay}")
        return cls(decay, {k: v.detach().clone() for k, v in module.state_dict().items()})

    @torch.no_grad()
    def update(self, module: torch.nn.Module) -> None:
        """Fold the module's current weights into the average (after an optimizer step)."""
        self.count += 1
        d = min(self.decay, (1.0 + self.count) / (10.0 + self.count))
        for name, value in module.state_dict().items():
            avg = self.weights[name]
            if avg.is_floating_point():
                avg.lerp_(value.detach().to(avg.dtype), 1.0 - d)
            else:
                avg.copy_(value)

    def copy_into(self, module: torch.nn.Module) -> torch.nn.Module:
        module.load_state_dict(self.weights)
        return module

    def averaged(self, module: torch.nn.Module) -> torch.nn.Module:
        """A copy of `module` holding the averaged weights (the module itself is untouched)."""
        return self.copy_into(copy.deepcopy(module))

    def state_dict(self) -> dict[str, Any]:
        return {"count": self.count, "weights": self.weights}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.count = int(state["count"])
        for name, value in state["weights"].items():
            self.weights[name].copy_(value)
