"""Refuse weights that are not finite before a command uses them.

A diverged training (NaN or inf in the network) must never be picked to drive a render or a live
session: it would fail deep inside, or worse, render garbage. Optimizer state is not checked (a
usable network may have an optimizer that overflowed); only the tensors a model is built from.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from core.jobs.errors import BadInput
from core.jobs.message import Text

_SKIPPED = ("optim",)  # optimizer and scaler state: not part of the model


def non_finite_tensors(obj: Any, prefix: str = "") -> Iterator[str]:
    """Names (dotted paths) of floating-point tensors in `obj` holding NaN or inf."""
    import torch

    if isinstance(obj, torch.Tensor):
        if obj.is_floating_point() and not bool(torch.isfinite(obj).all()):
            yield prefix or "(tensor)"
    elif isinstance(obj, dict):
        for k, v in obj.items():
            if any(s in str(k).lower() for s in _SKIPPED):
                continue
            yield from non_finite_tensors(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(obj, list | tuple):
        for i, v in enumerate(obj):
            yield from non_finite_tensors(v, f"{prefix}[{i}]")


def check_finite(path: Path | str, what: str = Text("model")) -> None:
    """BadInput naming the file and the broken tensors when the weights at `path` are not finite."""
    from core.train.checkpoint import load_checkpoint

    path = Path(path)
    bad = list(non_finite_tensors(load_checkpoint(path, map_location="cpu")))
    if bad:
        shown = ", ".join(bad[:3]) + (f" and {len(bad) - 3} more" if len(bad) > 3 else "")
        raise BadInput(
            Text(
                "the {what} weights in {path} are not finite (NaN or inf in {shown}): its "
                "training diverged. Train it again with a lower learning rate, or pick another "
                "run.",
                what=what,
                path=path,
                shown=shown,
            )
        )


def is_finite(path: Path | str) -> bool:
    try:
        check_finite(path)
    except BadInput:
        return False
    return True
