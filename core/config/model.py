"""Base for every config: frozen, strict about unknown keys, derived rather than mutated."""

from __future__ import annotations

from typing import Any, Self

from pydantic import BaseModel, ConfigDict


class ConfigModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    def derive(self, **changes: Any) -> Self:
        """A validated copy with `changes` applied (configs are never mutated)."""
        data = self.model_dump()
        data.update(changes)
        return type(self).model_validate(data)
