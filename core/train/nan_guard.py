"""Stop training on the first non-finite loss or gradient, with a message that says what to do.

The trainer checks before every optimizer step, so a NaN never reaches the weights, and it
never saves a checkpoint after a failed check: the newest checkpoint on disk stays the last
good one, and the message names it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from pathlib import Path

import torch


class NonFiniteLoss(RuntimeError):
    """A loss or gradient became NaN/inf; training stopped before the bad update."""


def _value(x: torch.Tensor | float) -> float:
    return float(x.detach().float().item()) if isinstance(x, torch.Tensor) else float(x)


def non_finite_terms(losses: Mapping[str, torch.Tensor | float]) -> list[str]:
    """Names of the loss terms that are NaN or inf."""
    return [name for name, v in losses.items() if not math.isfinite(_value(v))]


def non_finite_grads(params: Iterable[torch.nn.Parameter]) -> bool:
    """True when any gradient holds a NaN or inf (huge finite values are fine; one sync in all)."""
    return non_finite_tensors(p.grad for p in params if p.grad is not None)


def non_finite_tensors(tensors: Iterable[torch.Tensor]) -> bool:
    """True when any floating tensor (weights, gradients) holds a NaN or inf.

    One fused reduction and one sync: the norms of all tensors. A norm can overflow for huge
    but finite values, so only the tensors whose norm is not finite are then looked at.
    """
    ts = [t.detach() for t in tensors if t.is_floating_point() and t.numel()]
    if not ts:
        return False
    norms = torch.stack([torch.linalg.vector_norm(t.float()) for t in ts])
    finite = torch.isfinite(norms)
    if bool(finite.all()):
        return False
    return any(not bool(torch.isfinite(ts[i]).all()) for i in (~finite).nonzero().flatten().tolist())


def failure_message(what: str, step: int, last_good: Path | None, hints: str = "") -> str:
    keep = (
        f"The last good checkpoint is kept: {last_good}"
        if last_good is not None
        else "No checkpoint had been written yet"
    )
    fix = hints or "lower the learning rate, turn AMP off (train.amp = false), or check the data"
    then = "then resume (--resume continues from it)" if last_good is not None else "then train again"
    return f"Training stopped at step {step}: {what} became NaN/inf. {keep}. To fix: {fix}, {then}."


def check_losses(
    losses: Mapping[str, torch.Tensor | float], step: int, last_good: Path | None, hints: str = ""
) -> None:
    """Raise `NonFiniteLoss` naming every non-finite term."""
    bad = non_finite_terms(losses)
    if bad:
        what = f"loss {', '.join(repr(b) for b in bad)}"
        raise NonFiniteLoss(failure_message(what, step, last_good, hints))
