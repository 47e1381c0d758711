"""Build a renderer from its config (the one place that maps variant names to classes)."""

from __future__ import annotations

from core.lipsync.config import RendererConfig
from core.lipsync.dinet_full import DINetFull
from core.lipsync.dinet_mini import DINetMini
from core.lipsync.renderer import LipSyncRenderer


def build_renderer(cfg: RendererConfig) -> LipSyncRenderer:
    """DINet full or mini for `cfg` (weights freshly initialised, on the CPU)."""
    return DINetFull(cfg) if cfg.variant == "full" else DINetMini(cfg)
