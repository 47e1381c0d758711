"""installers/smoke_check.sh: passes on a working app (the source tree behind stand-in programs), fails
on a broken one with the failing step's output."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SMOKE = REPO / "installers" / "smoke_check.sh"


def _app(folder: Path, cli: str, gui: str) -> Path:
    folder.mkdir()
    for name, body in (("dhstudio", cli), ("dhstudio-gui", gui)):
        (folder / name).write_text(f"#!/bin/sh\n{body}\n")
        (folder / name).chmod(0o755)
    return folder


def test_smoke_check_fails_on_a_broken_app_and_names_the_step(tmp_path):
    app = _app(tmp_path / "app", 'echo "Traceback: no module named torch" >&2; exit 1', "exit 1")
    out = subprocess.run(["bash", str(SMOKE), str(app)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 1
    assert "smoke: FAIL --version (exit 1" in out.stderr and "no module named torch" in out.stderr
    assert "smoke: FAIL dhstudio-gui window" in out.stderr and "smoke: FAILED" in out.stderr


@pytest.mark.slow  # doctor, the demo's generate + prepare stages and the window twice (~2-4 min)
def test_smoke_check_passes_on_the_source_tree(tmp_path):
    """Stand-ins that run this checkout's code: the script's steps and patterns fit the real app."""
    run = f"PYTHONPATH={REPO} OMP_NUM_THREADS=1 exec {sys.executable} -m"
    app = _app(tmp_path / "app", f'{run} studio.cli.main "$@"', f"{run} studio")
    out = subprocess.run(["bash", str(SMOKE), str(app)], capture_output=True, text=True, timeout=1800)
    assert out.returncode == 0, out.stdout + out.stderr
    for step in ("--version", "doctor", "demo, stages 1-2", "prepared clip written", "dhstudio-gui window"):
        assert f"smoke: ok   {step}" in out.stdout, out.stdout
