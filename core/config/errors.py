"""Config errors that name the file, the field, the value and what is allowed."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from core.jobs.errors import BadInput


class ConfigError(BadInput):
    pass


def describe_validation_error(
    exc: ValidationError, source: Path | str | None, overrides: list[str] | tuple[str, ...] = ()
) -> str:
    """One line per bad field; a field that a `--set KEY=VALUE` override touched names that override."""
    where = f"{source}" if source else "config"
    keys = {o.split("=", 1)[0].strip(): o.strip() for o in overrides}
    lines = [f"Invalid configuration in {where}:"]
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
        lines.append(line)
    return "\n".join(lines)
