"""The import direction of docs/architecture.md: core is Qt-free and app-free, ui is engine-free."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UI_MAY_IMPORT_FROM_CORE = ("core.jobs.events",)


def _imports(path: Path) -> list[str]:
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.append(node.module)
    return out


def _top(name: str) -> str:
    return name.split(".")[0]


@pytest.mark.parametrize("package", ["core", "ui"])
def test_import_direction(package: str) -> None:
    bad = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for name in _imports(path):
            if package == "core":
                wrong = _top(name) in ("studio", "ui", "PySide6")
            else:
                wrong = _top(name) in ("studio", "torch") or (
                    _top(name) == "core" and name not in UI_MAY_IMPORT_FROM_CORE
                )
            if wrong:
                bad.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not bad, "import rule broken (see docs/architecture.md):\n" + "\n".join(bad)
