"""The training-jobs reference, generated from the config models so it cannot drift from them.

    python -m core.config.reference > docs/training_jobs_reference.md

For every avatar kind in the registry (and for ablation suite files): each TOML key with its type,
default, allowed values or range, the cross-field rules, and the comment the model's source gives
the field; then the presets in training_jobs/ that use the kind. tests/docs/test_reference.py
fails when the committed file differs from what this prints.
"""

from __future__ import annotations

import ast
import inspect
import io
import re
import sys
import textwrap
import tokenize
import tomllib
import types
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

import annotated_types as at
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from core.config.loader import PRESETS_DIR, toml_literal


@dataclass(frozen=True)
class FieldRow:
    key: str  # dotted TOML key, e.g. "innovations.region_weights.eyes"
    type: str
    default: str
    allowed: str
    note: str


def field_comments(cls: type) -> dict[str, str]:
    """Field name -> the source comment on its line (or the comment block just above it).

    A comment block at the end of a class continues the last field's comment.
    """
    try:
        source = textwrap.dedent(inspect.getsource(cls))
    except (OSError, TypeError):
        return {}
    comments: dict[int, tuple[str, bool]] = {}  # line -> (text, standalone)
    lines = source.splitlines()
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            row = tok.start[0]
            standalone = not lines[row - 1][: tok.start[1]].strip()
            comments[row] = (tok.string.lstrip("#").strip(), standalone)
    body = ast.parse(source).body[0]
    fields = [
        (n.target.id, n.lineno, n.end_lineno or n.lineno)
        for n in getattr(body, "body", [])
        if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)
    ]
    out: dict[str, str] = {}
    for i, (name, first, last) in enumerate(fields):
        parts = [comments[r][0] for r in range(first, last + 1) if r in comments and not comments[r][1]]
        above, r = [], first - 1
        while r in comments and comments[r][1]:
            above.insert(0, comments[r][0])
            r -= 1
        if above:
            parts = [*above, *parts]
        if i == len(fields) - 1:  # a trailing block after the last field continues it
            r = last + 1
            while r in comments and comments[r][1]:
                parts.append(comments[r][0])
                r += 1
        if parts:
            out[name] = " ".join(p for p in parts if p)
    return out


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _type_name(tp: Any) -> str:
    origin, args = get_origin(tp), get_args(tp)
    if origin is Literal:
        kinds = {type(a) for a in args}
        return _type_name(kinds.pop()) if len(kinds) == 1 else "value"
    if origin in (Union, types.UnionType):
        names = [_type_name(a) for a in args if a is not type(None)]
        return " or ".join(names) + (" (optional)" if type(None) in args else "")
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return f"list of {_type_name(args[0])}"
        return "[" + ", ".join(_type_name(a) for a in args) + "]"
    if origin is list:
        return f"list of {_type_name(args[0])}"
    if _is_model(tp):
        return "table"
    return {bool: "bool", int: "int", float: "float", str: "string"}.get(tp, getattr(tp, "__name__", str(tp)))


def _literal_values(tp: Any) -> list[Any]:
    if get_origin(tp) is Literal:
        return list(get_args(tp))
    for arg in get_args(tp):
        if get_origin(arg) is Literal:
            return _literal_values(arg)
    return []


def _allowed(info: FieldInfo) -> str:
    values = _literal_values(info.annotation)
    if values:
        return ", ".join(toml_literal(v) for v in values)
    bounds = {type(m).__name__: m for m in info.metadata}
    lo = bounds.get("Ge") or bounds.get("Gt")
    hi = bounds.get("Le") or bounds.get("Lt")
    parts = []
    if lo is not None:
        parts.append(f">= {_num(lo.ge)}" if isinstance(lo, at.Ge) else f"> {_num(lo.gt)}")
    if hi is not None:
        parts.append(f"<= {_num(hi.le)}" if isinstance(hi, at.Le) else f"< {_num(hi.lt)}")
    if "MinLen" in bounds:
        n = bounds["MinLen"].min_length
        parts.append("not empty" if n == 1 else f"at least {n} entries")
    if "MaxLen" in bounds:
        parts.append(f"at most {bounds['MaxLen'].max_length} entries")
    return ", ".join(parts)


def _num(v: Any) -> str:
    return f"{v:_}".replace("_", ",") if isinstance(v, int) and abs(v) >= 10_000 else repr(v)


def _default(info: FieldInfo) -> str:
    if info.is_required():
        return "(required)"
    value = info.get_default(call_default_factory=True)
    if value is None:
        return "(none)"
    if isinstance(value, BaseModel):
        return "(table)"
    if isinstance(value, tuple | list) and value and all(isinstance(v, BaseModel) for v in value):
        return f"{len(value)} tables"
    return toml_literal(list(value) if isinstance(value, tuple) else value)


def _element_model(tp: Any) -> type[BaseModel] | None:
    """The model of an array of tables (`tuple[StageConfig, ...]`, `list[SuiteEntry]`), else None."""
    if get_origin(tp) in (tuple, list):
        args = [a for a in get_args(tp) if a is not Ellipsis]
        if len(args) == 1 and _is_model(args[0]):
            return args[0]
    return None


def rules(cls: type[BaseModel]) -> list[str]:
    """The cross-field checks of a model, as the messages its validators raise.

    In f-string messages, module constants are filled in (`{SAMPLE_RATE}` -> 16000) and values of
    the instance being checked become "..." (`(got {self.x})` is dropped).
    """
    out = []
    for dec in cls.__pydantic_decorators__.model_validators.values():
        try:
            src = inspect.getsource(dec.func)
        except (OSError, TypeError):
            continue
        names = dec.func.__globals__
        for m in re.finditer(r'ValueError\(\s*f?"((?:[^"\\]|\\.)*)"', src):
            text = re.sub(r"\s*\((got )?\{[^}]*\}\)|,? got \{[^}]*\}", "", m.group(1))
            text = re.sub(r"\{([^}]*)\}", lambda e, names=names: _constant(e.group(1), names), text)
            out.append(text.strip(" ,;"))
    return out


def _constant(expr: str, names: dict[str, Any]) -> str:
    """The value of `expr` when it only reads module constants (e.g. `list(ALLOWED)`), else "..."."""
    try:
        tree = ast.parse(expr, mode="eval")
    except SyntaxError:
        return "..."
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    if (
        not used
        or not used <= {*names, "list", "sorted", "tuple"}
        or any(isinstance(n, ast.Attribute) for n in ast.walk(tree))
    ):
        return "..."
    scope = {k: names[k] for k in used if k in names}
    return str(
        eval(
            compile(tree, "<rule>", "eval"),
            {"__builtins__": {"list": list, "sorted": sorted, "tuple": tuple}},
            scope,
        )
    )


@dataclass(frozen=True)
class Section:
    path: str  # dotted TOML table, "" for the top level
    array: bool  # [[path]] (an array of tables)
    model: type[BaseModel]
    rows: tuple[FieldRow, ...]


def sections(model: type[BaseModel], path: str = "", array: bool = False) -> Iterator[Section]:
    """The model's own fields, then each nested table, depth first (the order a TOML file has)."""
    comments = field_comments(model)
    rows, nested = [], []
    for name, info in model.model_fields.items():
        key = f"{path}.{name}" if path else name
        tp = info.annotation
        element = _element_model(tp)
        if _is_model(tp):
            nested.append((key, tp, False))
            continue
        if element is not None:
            nested.append((key, element, True))
        rows.append(FieldRow(key, _type_name(tp), _default(info), _allowed(info), comments.get(name, "")))
    yield Section(path, array, model, tuple(rows))
    for key, sub, is_array in nested:
        yield from sections(sub, key, is_array)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ") or " "


def section_markdown(section: Section) -> list[str]:
    if not section.rows and not section.model.__doc__:
        return []  # a table of tables only: its sub-tables have their own headings
    title = (
        f"`[[{section.path}]]`" if section.array else (f"`[{section.path}]`" if section.path else "Top level")
    )
    lines = [f"### {title}", ""]
    doc = inspect.getdoc(section.model)
    if doc and section.model.__doc__:  # the class's own docstring, not BaseModel's
        lines += [" ".join(doc.split()), ""]
    if section.rows:
        lines += ["| key | type | default | allowed | notes |", "|---|---|---|---|---|"]
        for r in section.rows:
            cells = (f"`{r.key}`", _cell(r.type), f"`{_cell(r.default)}`", _cell(r.allowed), _cell(r.note))
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    for rule in rules(section.model):
        lines.append(f"- Rule: {rule}")
    if rules(section.model):
        lines.append("")
    return lines


def preset_lines(kind: str, presets_dir: Path = PRESETS_DIR) -> list[str]:
    """The presets in training_jobs/ of this kind, each with the first line of its header comment."""
    out = []
    for path in sorted(presets_dir.glob("*.toml")):
        text = path.read_text(encoding="utf-8")
        if tomllib.loads(text).get("kind") != kind:
            continue
        head = next((ln.lstrip("# ").strip() for ln in text.splitlines() if ln.startswith("#")), "")
        out.append(f"- `training_jobs/{path.name}`: {head}")
    return out


def generate() -> str:
    from core.gaussians.train.ablation import Suite
    from core.kinds.registry import all_kinds

    lines = [
        "# Training jobs reference",
        "",
        "<!-- Generated by `python -m core.config.reference > docs/training_jobs_reference.md`;",
        "     do not edit: tests/docs/test_reference.py fails when this file is stale. -->",
        "",
        'A training job is a TOML file with `kind = "..."` and the tables below. Every key is optional',
        "unless marked (required): a missing key takes its default. A value outside the allowed range",
        "stops `dhstudio train` before anything is written, with a message naming the file, the key and",
        "what is allowed. Override any key on the command line with `--set table.key=value` (the value",
        "is read as TOML: `--set train.amp=false`, `--set data.background=[1.0,1.0,1.0]`,",
        '`--set densify.strategy="percentile"`); the run folder\'s `config.toml` holds the resolved job.',
        "",
        "Contents: "
        + ", ".join(f"[`{k.name}`](#{k.name}-{_anchor(k.title)})" for k in all_kinds())
        + ", [ablation suites](#ablation-suites).",
        "",
    ]
    for kind in all_kinds():
        lines += [f"## `{kind.name}`: {kind.title}", "", " ".join(kind.description.split()), ""]
        presets = preset_lines(kind.name)
        if presets:
            lines += ["Presets:", "", *presets, ""]
        for section in sections(kind.config_model):
            lines += section_markdown(section)
    lines += [
        "## Ablation suites",
        "",
        "`dhstudio ablate SUITE.toml` trains every configuration of a suite file with the same seed, clip",
        "and step budget (see the user guide, *Ablations*). Suite files: "
        + ", ".join(f"`training_jobs/{p.name}`" for p in sorted(PRESETS_DIR.glob("ablation_*.toml")))
        + ".",
        "",
    ]
    for section in sections(Suite):
        lines += section_markdown(section)
    return "\n".join(lines).rstrip() + "\n"


def _anchor(title: str) -> str:
    """GitHub's heading anchor for "`kind`: Title" after the kind name."""
    return re.sub(r"[^a-z0-9 -]", "", title.lower()).replace(" ", "-")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    text = generate()
    if argv:
        from core.io import atomic

        atomic.write_text(Path(argv[0]), text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
