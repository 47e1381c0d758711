"""Config errors that name the file, the field, the value and what is allowed."""

from __future__ import annotations

import difflib
import types
import typing
from pathlib import Path

from pydantic import BaseModel, ValidationError

from core.jobs.errors import BadInput
from core.jobs.message import Text


class ConfigError(BadInput):
    pass


def describe_validation_error(
    exc: ValidationError,
    source: Path | str | None,
    overrides: list[str] | tuple[str, ...] = (),
    model: type[BaseModel] | None = None,
) -> str:
    """One line per bad field; a field that a `--set KEY=VALUE` override touched names that override.

    With the validated `model`, an unknown key also lists the keys its section allows and the nearest one.
    """
    where = f"{source}" if source else Text("config")
    keys = {o.split("=", 1)[0].strip(): o.strip() for o in overrides}
    lines = []  # pydantic's own words for each field stay English; the frame is translated
    for err in exc.errors():
        field = ".".join(str(p) for p in err["loc"]) or "(top level)"
        value = err.get("input")
        msg = err["msg"]
        ctx = err.get("ctx") or {}
        allowed = ctx.get("expected")
        if allowed is None and "ge" in ctx and "le" in ctx:
            allowed = f"{ctx['ge']} .. {ctx['le']}"
        given = next((o for k, o in keys.items() if k == field or field.startswith(k + ".")), None)
        line = f"  field '{field}'" + (f" (from --set {given})" if given else "") + f": {msg}"
        if err["type"] != "missing":
            line += f" (got {value!r})"
        if allowed is not None and str(allowed) not in msg:
            line += f"; allowed: {allowed}"
        if err["type"] == "extra_forbidden" and model is not None:
            line += _known_keys_hint(model, err["loc"])
        lines.append(line)
    return Text("Invalid configuration in {where}:\n{fields}", where=where, fields="\n".join(lines))


def _known_keys_hint(model: type[BaseModel], loc: tuple) -> str:
    """The keys allowed in the unknown key's section and the nearest one ('' where the section is unclear)."""
    section = _model_at(model, [p for p in loc[:-1] if isinstance(p, str)])
    if section is None:
        return ""
    names = sorted(f.alias or name for name, f in section.model_fields.items())
    near = difflib.get_close_matches(str(loc[-1]), names, n=1, cutoff=0.6)
    where = f"in [{'.'.join(str(p) for p in loc[:-1])}]" if len(loc) > 1 else "at the top level"
    return f"; allowed {where}: {', '.join(names)}" + (f" (did you mean '{near[0]}'?)" if near else "")


def _model_at(model: type[BaseModel], path: list[str]) -> type[BaseModel] | None:
    """The config model of the section at `path` (field names), or None where a union makes it ambiguous."""
    for part in path:
        field = model.model_fields.get(part)
        if field is None:
            return None
        found = _models_in(field.annotation)
        if len(found) != 1:
            return None
        model = found[0]
    return model


def _models_in(annotation) -> list[type[BaseModel]]:
    """Model classes inside an annotation (through Optional, list, Annotated and unions)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    if typing.get_origin(annotation) is None and not isinstance(annotation, types.UnionType):
        return []
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]
