"""The training form's field specs read each field's bounds from its pydantic constraints."""

from __future__ import annotations

from pydantic import BaseModel, Field

from studio.gui.config_fields import field_specs


class Bounded(BaseModel):
    rate: float = Field(0.5, ge=0.0, lt=1.0)
    steps: int = Field(3, gt=0, le=10)
    name: str = "x"


def test_bounds_and_their_words_come_from_the_constraints() -> None:
    specs = {s.path: s for s in field_specs(Bounded)}
    rate, steps, name = specs["rate"], specs["steps"], specs["name"]
    assert (rate.kind, rate.low, rate.high, rate.allowed) == ("float", 0.0, 1.0, ">= 0.0 and < 1.0")
    assert (steps.kind, steps.low, steps.high, steps.allowed) == ("int", 0, 10, "> 0 and <= 10")
    assert (name.low, name.high, name.allowed) == (None, None, "")
