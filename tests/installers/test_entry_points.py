"""The frozen `dhstudio` answers `-I -c CODE` as python does, with the studio's packages hidden
(core/export/isolated.py runs its fresh-process checks through `sys.executable`)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ENTRY = Path(__file__).resolve().parents[2] / "installers" / "pyinstaller" / "entry_cli.py"


@pytest.fixture
def entry(monkeypatch):
    monkeypatch.setattr(sys, "meta_path", list(sys.meta_path))  # python_c adds its finder to a copy
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    spec = importlib.util.spec_from_file_location("entry_cli_under_test", ENTRY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_isolated_snippet_runs_without_the_project(entry, capsys, monkeypatch):
    for name in [m for m in sys.modules if m.split(".")[0] in ("core", "studio", "ui", "resources")]:
        monkeypatch.delitem(sys.modules, name)
    code = (
        "import sys, numpy\n"
        "try:\n    import core.export\nexcept ImportError:\n    print('hidden')\n"
        "print(sys.argv[1:], numpy.__name__)\n"
        "sys.exit(3)"
    )
    assert entry.python_c(["dhstudio", "-I", "-c", code, "a", "b"]) == 3
    assert capsys.readouterr().out == "hidden\n['a', 'b'] numpy\n"


def test_exit_codes_and_messages_as_python_gives_them(entry, capsys):
    assert entry.python_c(["dhstudio", "-c", "pass"]) == 0
    assert entry.python_c(["dhstudio", "-c", "raise SystemExit('isolation failed: x')"]) == 1
    assert "isolation failed: x" in capsys.readouterr().err
    with pytest.raises(ZeroDivisionError):
        entry.python_c(["dhstudio", "-c", "1 / 0"])


def test_ordinary_command_lines_are_left_to_the_cli(entry):
    for argv in (["dhstudio", "doctor"], ["dhstudio", "-I"], ["dhstudio", "-c"], ["dhstudio", "--version"]):
        assert entry.python_c(argv) is None
