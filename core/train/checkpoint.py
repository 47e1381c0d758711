"""Checkpoints are dicts keyed by name, written atomically and read with weights_only=True."""

from __future__ import annotations

import io
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
            f"Checkpoint {path} could not be read ({exc}); it is corrupt or not a checkpoint."
        ) from None
