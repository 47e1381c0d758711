"""Training kinds known to `dhstudio train`, imported lazily so the CLI starts fast."""

from __future__ import annotations

import importlib

from core.jobs.errors import BadInput
from core.train.spec import TrainingKind

# kind name -> "module:attribute" holding a TrainingKind
KINDS: dict[str, str] = {
    "audio2mouth": "core.mouth.trainer:TRAINING_KIND",
    "dinet": "core.lipsync.training_kind:KIND",
    "gaussian": "core.gaussians.train.training_kind:TRAINING_KIND",
}


def training_kind(name: str, source: str = "") -> TrainingKind:
    target = KINDS.get(name)
    if target is None:
        allowed = ", ".join(sorted(KINDS)) or "none yet"
        where = f"{source}: " if source else ""
        raise BadInput(f"{where}field 'kind' is {name!r}; allowed: {allowed}")
    module, attr = target.split(":")
    return getattr(importlib.import_module(module), attr)
