"""Load TOML job files into pydantic models, with `section.key=value` overrides."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from core.config.errors import ConfigError, describe_validation_error
from core.jobs.message import Text

M = TypeVar("M", bound=BaseModel)

PRESETS_DIR = Path(__file__).resolve().parents[2] / "training_jobs"  # the shipped job files


def job_file(text: str) -> Path:
    """A job file from the command line: a path as given, or the name of a shipped preset.

    `dhstudio train dinet_mini` should work from any folder, as the GUI's preset menu does; a file
    of that name in the current folder still wins. Anything else is returned as given, so reading
    it reports what is missing (`read_toml`).
    """
    path = Path(text)
    if path.exists() or path.parent != Path("."):
        return path
    for name in (path.name, f"{path.name}.toml"):
        if (PRESETS_DIR / name).is_file():
            return PRESETS_DIR / name
    return path


def read_toml(path: Path | str) -> dict[str, Any]:
    path = Path(path)
    if not path.is_file():
        raise ConfigError(Text("Config file not found: {path}. {hint}", path=path, hint=_presets_hint(path)))
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(Text("{path} is not valid TOML: {exc}", path=path, exc=exc)) from exc


def _presets_hint(path: Path) -> str:
    """Where the shipped job files are, naming the one `path` most likely meant."""
    if (PRESETS_DIR / path.name).is_file():
        return Text("Did you mean {path}?", path=PRESETS_DIR / path.name)
    names = sorted(p.name for p in PRESETS_DIR.glob("*.toml"))
    return Text(
        "Give a job file; the presets are in {folder}: {names}", folder=PRESETS_DIR, names=", ".join(names)
    )


def parse_override(text: str) -> tuple[list[str], Any]:
    """`train.lr=1e-4` -> (['train', 'lr'], 0.0001). Values are parsed as TOML, else kept as text."""
    if "=" not in text:
        raise ConfigError(Text("Override '{text}' must look like section.key=value", text=text))
    key, raw = text.split("=", 1)
    parts = [p.strip() for p in key.strip().split(".") if p.strip()]
    if not parts:
        raise ConfigError(Text("Override '{text}' has an empty key", text=text))
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    return parts, value


def apply_overrides(data: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    out = _deep_copy(data)
    for text in overrides:
        parts, value = parse_override(text)
        node = out
        for p in parts[:-1]:
            child = node.setdefault(p, {})
            if not isinstance(child, dict):
                raise ConfigError(Text("Override '{text}': '{p}' is a value, not a section", text=text, p=p))
            node = child
        node[parts[-1]] = value
    return out


def validate(
    model: type[M], data: dict[str, Any], source: Path | str | None = None, overrides: list[str] | None = None
) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc, source, overrides or [], model)) from None


def load_config(model: type[M], path: Path | str, overrides: list[str] | None = None) -> M:
    data = apply_overrides(read_toml(path), overrides or [])
    return validate(model, data, path, overrides)


def to_toml(data: dict[str, Any]) -> str:
    """Write plain nested dicts of scalars/lists as TOML (enough for resolved configs)."""
    lines: list[str] = []
    scalars = {k: v for k, v in data.items() if not isinstance(v, dict)}
    tables = {k: v for k, v in data.items() if isinstance(v, dict)}
    for k, v in scalars.items():
        if v is not None:
            lines.append(f"{k} = {toml_literal(v)}")
    for name, table in tables.items():
        _emit_table(lines, [name], table)
    return "\n".join(lines) + "\n"


def _emit_table(lines: list[str], path: list[str], table: dict[str, Any]) -> None:
    lines.append("")
    lines.append(f"[{'.'.join(path)}]")
    subtables = {}
    for k, v in table.items():
        if isinstance(v, dict) or (isinstance(v, list) and v and all(isinstance(x, dict) for x in v)):
            subtables[k] = v
        elif v is not None:
            lines.append(f"{k} = {toml_literal(v)}")
    for k, v in subtables.items():
        if isinstance(v, list):
            for item in v:
                lines.append("")
                lines.append(f"[[{'.'.join([*path, k])}]]")
                for ik, iv in item.items():
                    if iv is not None:
                        lines.append(f"{ik} = {toml_literal(iv)}")
        else:
            _emit_table(lines, [*path, k], v)


def toml_literal(value: Any) -> str:
    """A TOML value (inline tables for dicts), as a config file or `--set key=VALUE` takes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str | Path):
        return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        items = ", ".join(f"{k} = {toml_literal(v)}" for k, v in value.items() if v is not None)
        return "{" + items + "}"
    raise TypeError(f"{value!r} has no TOML form")


def _deep_copy(d: dict[str, Any]) -> dict[str, Any]:
    return {k: _deep_copy(v) if isinstance(v, dict) else v for k, v in d.items()}
