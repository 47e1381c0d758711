"""Checkpoints: dicts keyed by name, written atomically, read with weights_only=True.

Every training checkpoint carries one header, whatever the kind:

    format          "dhstudio.checkpoint"
    format_version  the header's version (readers refuse a newer one)
    kind            the avatar kind that wrote it ("dinet", "audio2mouth", "gaussian")
    kind_version    the version of that kind's payload (readers refuse a newer one)
    step            optimizer steps taken
    config          the resolved job config (plain JSON types)

The kind's own payload (weights, optimizer state, ...) sits beside the header at the top level.
`read_checkpoint` checks the header before anyone looks at the payload; files written before
the header existed are recognised by their old markers (see `_legacy_kind`).
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from core.io import atomic
from core.jobs.errors import BadInput
from core.jobs.message import Text

FORMAT = "dhstudio.checkpoint"
FORMAT_VERSION = 1
HEADER_KEYS = ("format", "format_version", "kind", "kind_version", "step", "config")


def make_header(kind: str, step: int, config: Mapping[str, Any], kind_version: int = 1) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "kind": str(kind),
        "kind_version": int(kind_version),
        "step": int(step),
        "config": dict(config),
    }


def save_checkpoint(path: Path | str, state: dict[str, Any]) -> Path:
    import torch

    buf = io.BytesIO()
    torch.save(state, buf)
    atomic.write_bytes(path, buf.getvalue())
    return Path(path)


def load_checkpoint(path: Path | str, map_location: Any = "cpu") -> dict[str, Any]:
    """Any studio checkpoint or bundle, unpickled without running code (no header check)."""
    import torch

    path = Path(path)
    if not path.is_file():
        raise BadInput(Text("Checkpoint not found: {path}", path=path))
    try:
        state = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as exc:
        raise BadInput(
            Text(
                "{path} is not a studio checkpoint ({refusal_reason}): it is damaged, or it "
                "holds objects other than tensors and plain values, which could run code when "
                "loaded. Do not trust it or open it by other means; use a checkpoint written by "
                "dhstudio (PROJECT/runs/<run>/checkpoints/*.pt).",
                path=path,
                refusal_reason=refusal_reason(exc),
            )
        ) from None
    if not isinstance(state, dict):
        kind = type(state).__name__
        raise BadInput(
            Text("{path} is not a Digital Human Studio checkpoint (it holds a {kind}).", path=path, kind=kind)
        )
    return state


def checkpoint_entry(path: Path | str, key: str) -> Any:
    """One top-level entry of a checkpoint, read without loading its tensors (memory-mapped); None
    when there is no readable checkpoint or no such entry (the trainer's own read then says why)."""
    import torch

    try:
        state = torch.load(Path(path), map_location="cpu", weights_only=True, mmap=True)
    except Exception:
        return None
    return state.get(key) if isinstance(state, dict) else None


def checkpoint_step(path: Path | str) -> int | None:
    """The `step` a checkpoint was saved at (`checkpoint_entry`)."""
    step = checkpoint_entry(path, "step")
    return int(step) if isinstance(step, int) else None


def read_checkpoint(
    path: Path | str, kind: str, map_location: Any = "cpu", kind_version: int = 1
) -> dict[str, Any]:
    """A training checkpoint of `kind`, its header checked; refuses other kinds and newer versions.

    `kind_version` is the newest payload version this reader understands.
    """
    path = Path(path)
    state = load_checkpoint(path, map_location)
    if state.get("format") != FORMAT:
        found = _legacy_kind(state)
        if found is None:
            raise BadInput(
                Text(
                    "{path} is not a Digital Human Studio training checkpoint (no '{format}' header).",
                    path=path,
                    format=FORMAT,
                )
            )
        state = {**state, **make_header(found, int(state.get("step", 0)), state.get("config") or {})}
    version = int(state.get("format_version", 0))
    if version > FORMAT_VERSION:
        raise BadInput(
            Text(
                "{path} was written by a newer Digital Human Studio (checkpoint format "
                "{version}, this one reads up to {format_version}); update the studio to load it.",
                path=path,
                version=version,
                format_version=FORMAT_VERSION,
            )
        )
    if state.get("kind") != kind:
        raise BadInput(
            Text(
                "{path} is a '{kind}' checkpoint, not {a_kind} one; choose a run trained by {a_kind} job.",
                path=path,
                kind=state.get("kind"),
                a_kind=_a(kind),
            )
        )
    if int(state.get("kind_version", 1)) > kind_version:
        raise BadInput(
            Text(
                "{path} holds a '{kind}' checkpoint of version {kind_version}, newer than this "
                "studio's {supported_version}; update the studio to load it.",
                path=path,
                kind=kind,
                kind_version=state.get("kind_version"),
                supported_version=kind_version,
            )
        )
    return state


def _a(word: str) -> Text:
    """`word` with its English article ("an lipsync"); a phrase of its own, so a translation can drop it."""
    return Text("an {word}", word=word) if word[:1].lower() in "aeiou" else Text("a {word}", word=word)


def _legacy_kind(state: Mapping[str, Any]) -> str | None:
    """The kind of a checkpoint written before the common header (their own markers)."""
    if state.get("format") == "dhstudio.dinet.v1":
        return "dinet"
    if state.get("kind") == "audio2mouth" and "model" in state:
        return "audio2mouth"
    if state.get("version") == 1 and "params" in state and "extras" in state:
        return "gaussian"
    return None


def require_finite(weights: Mapping[str, Any], path: Path | str) -> None:
    """Refuse weights holding NaN/inf (a diverged run saved before the loop's guard existed)."""
    if not all_finite(weights):
        raise BadInput(
            Text(
                "{path} holds NaN/inf weights: that training run diverged. Train it again with a "
                "lower learning rate, or choose another run.",
                path=path,
            )
        )


def all_finite(state: Any) -> bool:
    """True when every floating tensor (or float) in a nested state is finite."""
    import torch

    if isinstance(state, torch.Tensor):
        return not state.is_floating_point() or bool(torch.isfinite(state).all())
    if isinstance(state, float):
        return math.isfinite(state)
    if isinstance(state, Mapping):
        return all(all_finite(v) for v in state.values())
    if isinstance(state, list | tuple):
        return all(all_finite(v) for v in state)
    return True


def nested_tensors(state: Any) -> list:
    """Every tensor in a nested state (dicts, lists, tuples), e.g. for the loop's finite-weights check."""
    import torch

    if isinstance(state, torch.Tensor):
        return [state]
    if isinstance(state, Mapping):
        return [t for v in state.values() for t in nested_tensors(v)]
    if isinstance(state, list | tuple):
        return [t for v in state for t in nested_tensors(v)]
    return []


_ADVICE = re.compile(r"weights_only|trust|documentation|Weights only load failed", re.IGNORECASE)


def refusal_reason(exc: Exception) -> str:
    """The line of torch's error that says what was wrong, without its advice to load unsafely."""
    for line in str(exc).splitlines():
        line = line.strip().removeprefix("WeightsUnpickler error:").strip()
        if line and not _ADVICE.search(line):
            return line
    return type(exc).__name__
