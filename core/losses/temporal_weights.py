"""The temporal-consistency loss's weights: one validated model for the loss and the lip-sync config."""

from __future__ import annotations

from pydantic import Field

from core.config.model import ConfigModel


class TemporalWeights(ConfigModel):
    """Weights of the temporal-consistency terms (defaults 8 / 6 / 10 / 4) and the window."""

    frame_difference: float = Field(default=8.0, ge=0.0)
    flow_warped: float = Field(default=6.0, ge=0.0)
    mouth_region: float = Field(default=10.0, ge=0.0)
    long_term: float = Field(default=4.0, ge=0.0)
    window: int = Field(default=5, ge=2, le=32)
