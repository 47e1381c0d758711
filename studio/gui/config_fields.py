"""Config models as form fields: describe a pydantic model's fields, map its errors, diff two configs.

The training panel edits raw nested dicts (what a TOML file holds) and validates them with the
same model the CLI uses; this module translates between that and the form's dotted paths.
"""

from __future__ import annotations

import re
import types
import typing
from pathlib import Path
from typing import Any, Literal

import annotated_types as at
from pydantic import BaseModel, ValidationError

from core.config.loader import toml_literal
from ui.config_form import FieldSpec

# Purpose-made sliders (dotted path -> range shown on the slider; the model still validates).
# Keyed by field path, so any family whose config has the field gets the slider.
SLIDERS: dict[str, tuple[float, float]] = {
    "innovations.region_weights.eyes": (0.0, 5.0),
    "innovations.region_weights.mouth": (0.0, 5.0),
    "innovations.region_weights.nose": (0.0, 5.0),
    "densify.clone_percentile": (50.0, 99.0),
    "densify.split_percentile": (50.0, 99.9),
    "innovations.semantic_densify.ratio": (1.0, 4.0),
    "loss.lamb_pixel": (0.0, 50.0),
    "loss.lamb_perception": (0.0, 50.0),
    "loss.lamb_gan": (0.0, 5.0),
    "loss.lamb_mouth": (0.0, 50.0),
    "loss.lamb_temporal": (0.0, 10.0),
    "loss.l1": (0.0, 1.0),
    "loss.dssim": (0.0, 1.0),
    "augmentation.blur_kernel": (1.0, 15.0),
    "augmentation.noise_sigma": (0.0, 16.0),
    "augmentation.probability": (0.0, 1.0),
    "train.holdout": (0.05, 0.5),
}


def _unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return annotation, False


# annotated-types bound -> (its attribute, its sign, whether it is an upper bound)
_BOUND_KINDS = {
    at.Ge: ("ge", ">=", False),
    at.Gt: ("gt", ">", False),
    at.Le: ("le", "<=", True),
    at.Lt: ("lt", "<", True),
}


def _bounds(metadata: list[Any]) -> tuple[float | None, float | None, str]:
    low = high = None
    words = []
    for m in metadata:
        for kind, (attr, sign, upper) in _BOUND_KINDS.items():
            if isinstance(m, kind):
                value = getattr(m, attr)
                if upper:
                    high = value
                else:
                    low = value
                words.append(f"{sign} {value}")
    return low, high, " and ".join(words)


def field_specs(model: type[BaseModel], prefix: str = "") -> list[FieldSpec]:
    """One spec per leaf field of ``model`` (nested models recurse; lists of models become tables)."""
    specs: list[FieldSpec] = []
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        if path == "kind":
            continue  # the family, chosen above the form
        annotation, optional = _unwrap_optional(info.annotation)
        origin = typing.get_origin(annotation)
        args = typing.get_args(annotation)
        label = name.replace("_", " ")
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            specs += field_specs(annotation, f"{path}.")
            continue
        if origin is tuple and args and isinstance(args[0], type) and issubclass(args[0], BaseModel):
            columns = tuple(args[0].model_fields)
            specs.append(FieldSpec(path, label, "stages", stage_columns=columns, optional=optional))
            continue
        low, high, allowed = _bounds(info.metadata)
        if annotation is bool:
            kind, choices = "bool", ()
        elif origin is Literal:
            kind, choices = "choice", args
            allowed = "one of " + ", ".join(str(a) for a in args)
        elif annotation is int:
            kind, choices = "int", ()
        elif annotation is float:
            kind, choices = "float", ()
        elif origin is tuple:
            kind, choices = "list", ()
            allowed = allowed or "comma-separated values"
        else:
            kind, choices = "text", ()
        if optional:
            allowed = f"{allowed} or empty" if allowed else "a value or empty"
        specs.append(
            FieldSpec(
                path,
                label,
                kind,
                choices=choices,
                low=low,
                high=high,
                optional=optional,
                slider=SLIDERS.get(path) if kind in ("int", "float") else None,
                allowed=allowed,
            )
        )
    return specs


def flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested dict -> dotted leaf paths (lists, including lists of tables, stay whole values)."""
    out: dict[str, Any] = {}
    for k, v in data.items():
        if isinstance(v, dict):
            out.update(flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def set_path(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of ``data`` with the dotted ``path`` set (sections created as needed)."""
    out = dict(data)
    head, _, rest = path.partition(".")
    if rest:
        child = out.get(head)
        out[head] = set_path(child if isinstance(child, dict) else {}, rest, value)
    else:
        out[head] = value
    return out


def errors_by_path(exc: ValidationError, paths: set[str]) -> tuple[dict[str, str], list[str]]:
    """Pydantic errors -> (message per known dotted path, messages that belong to no single field)."""
    by_path: dict[str, str] = {}
    general: list[str] = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        msg = err["msg"].removeprefix("Value error, ")
        target = next((".".join(loc[:n]) for n in range(len(loc), 0, -1) if ".".join(loc[:n]) in paths), None)
        if target is None:
            general.append(f"{'.'.join(loc) or 'config'}: {msg}")
        else:
            detail = ".".join(loc[len(target.split(".")) :])
            by_path.setdefault(target, f"{detail}: {msg}" if detail else msg)
    return by_path, general


def differences(base: dict[str, Any], edited: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(path, preset value, edited value) for every dotted path whose value changed."""
    a, b = flatten(base), flatten(edited)
    return [(p, a.get(p), b.get(p)) for p in sorted(set(a) | set(b)) if a.get(p) != b.get(p)]


def overrides(diffs: list[tuple[str, Any, Any]]) -> list[str]:
    """The `--set` overrides that turn the preset into the edited config (unset values are skipped:
    TOML has no null, and every optional field defaults to unset)."""
    return [f"{path}={toml_literal(new)}" for path, _, new in diffs if new is not None]


_SENTENCE_END = re.compile(r"\.(\s|$)")  # a full stop before a space or the end, not in 1e-4


def preset_description(path: Path) -> str:
    """A preset's description: the first sentence of its TOML file's leading comment, which may
    run over several lines (a first line alone can end mid-sentence)."""
    words: list[str] = []
    try:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                line = line.strip()
                if not line.startswith("#"):
                    if line or words:
                        break
                    continue
                words.append(line.lstrip("#").strip())
                text = " ".join(words)
                end = _SENTENCE_END.search(text)
                if end:
                    return text[: end.start() + 1]
    except OSError:
        return ""
    return " ".join(words)
