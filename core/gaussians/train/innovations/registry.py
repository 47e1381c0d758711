"""The innovations by name: adding one = its module, one line here and its config section.

Order matters only where hooks chain: ``pose`` and ``transform_image`` run in this order.
"""

from __future__ import annotations

from typing import Any

import torch

from core.gaussians.train.config import GaussianConfig
from core.gaussians.train.innovations.base import Innovation
from core.gaussians.train.innovations.color_calibration import ColorCalibrationInnovation
from core.gaussians.train.innovations.contrastive import Contrastive
from core.gaussians.train.innovations.perceptual import Perceptual
from core.gaussians.train.innovations.progressive import ProgressiveResolution
from core.gaussians.train.innovations.region_weights import RegionWeights
from core.gaussians.train.innovations.semantic_densify import SemanticDensify
from core.gaussians.train.innovations.temporal import Temporal

INNOVATIONS: dict[str, type[Innovation]] = {
    cls.name: cls
    for cls in (
        RegionWeights,
        SemanticDensify,
        ProgressiveResolution,
        Temporal,
        ColorCalibrationInnovation,
        Contrastive,
        Perceptual,
    )
}


def build_innovations(cfg: GaussianConfig, device: torch.device | str) -> list[Innovation]:
    """The innovations ``cfg`` switches on, in registry order (not yet set up on data)."""
    return [cls(cfg, device) for cls in INNOVATIONS.values() if cls.active(cfg)]


def restore_innovations(
    cfg: GaussianConfig, exported: dict[str, dict[str, Any]], device: torch.device | str
) -> list[Innovation]:
    """Inference-only innovations from a trained avatar's ``innovations`` entry, in registry order."""
    unknown = sorted(set(exported) - set(INNOVATIONS))
    if unknown:
        raise ValueError(f"the avatar needs innovations {unknown} that this version does not know")
    return [cls.restore(cfg, exported[name], device) for name, cls in INNOVATIONS.items() if name in exported]
