"""Device choice and global seeding, shared by every trainer and renderer."""

from __future__ import annotations

import logging
import os
import random
from typing import Literal

from core.jobs.errors import BadInput
from core.jobs.message import Text

log = logging.getLogger(__name__)

DeviceChoice = Literal["auto", "cpu", "cuda"]


def resolve_device(choice: str = "auto"):
    """'auto' -> CUDA when a usable GPU exists, else CPU; 'cuda' without one is bad input."""
    import torch

    if choice not in ("auto", "cpu", "cuda") and not choice.startswith("cuda:"):
        raise BadInput(Text("--device must be auto, cpu or cuda (got {choice!r})", choice=choice))
    if choice == "cpu":
        return torch.device("cpu")
    usable = torch.cuda.is_available()
    if choice == "auto":
        dev = torch.device("cuda" if usable else "cpu")
        log.info("device auto -> %s", dev)
        return dev
    if not usable:
        raise BadInput(
            Text(
                "--device cuda was asked for but no usable CUDA GPU was found; use --device cpu "
                "(or auto), or check the NVIDIA driver with `dhstudio doctor`."
            )
        )
    return torch.device(choice)


def seed_everything(seed: int) -> None:
    import numpy as np  # here, not at import: the CLI's parser (studio.project) reads DeviceChoice
    import torch

    random.seed(seed)
    np.random.seed(seed % (2**32))
    torch.manual_seed(seed)
    os.environ.setdefault("PYTHONHASHSEED", str(seed))
