"""Checkpoints are dicts keyed by name, written atomically and read with weights_only=True."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from core.io import atomic
from core.jobs.errors import BadInput


def save_checkpoint(path: Path | str, state: dict[str, Any]) -> Path:
    import torch

    buf = io.BytesIO()
    torch.save(state, buf)
    atomic.write_bytes(path, buf.getvalue())
    return Path(path)


def load_checkpoint(path: Path | str, map_location: Any = "cpu") -> dict[str, Any]:
    import torch

    path = Path(path)
    if not path.is_file():
        raise BadInput(f"Checkpoint not found: {path}")
    try:
        return torch.load(path, map_location=map_location, weights_only=True)
    except Exception as exc:
        raise BadInput(
            f"{path} is not a studio checkpoint ({refusal_reason(exc)}): it is damaged, or it holds "
            "objects other than tensors and plain values, which could run code when loaded. Do not "
            "trust it or open it by other means; use a checkpoint written by dhstudio "
            "(PROJECT/runs/<run>/checkpoints/*.pt)."
        ) from None


_ADVICE = re.compile(r"weights_only|trust|documentation|Weights only load failed", re.IGNORECASE)


def refusal_reason(exc: Exception) -> str:
    """The line of torch's error that says what was wrong, without its advice to load unsafely."""
    for line in str(exc).splitlines():
        line = line.strip().removeprefix("WeightsUnpickler error:").strip()
        if line and not _ADVICE.search(line):
            return line
    return type(exc).__name__
