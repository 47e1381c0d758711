"""The installer scripts and files: lint-clean, consistent with pyproject, and install.sh installs."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
INSTALLERS = REPO / "installers"
SHELL_SCRIPTS = sorted([*INSTALLERS.glob("*.sh"), INSTALLERS / "linux" / "install.sh"])


@pytest.mark.parametrize("script", SHELL_SCRIPTS, ids=lambda p: p.name)
def test_shell_scripts_parse_and_pass_shellcheck(script):
    assert subprocess.run(["bash", "-n", str(script)], capture_output=True).returncode == 0
    if shutil.which("shellcheck") is None:
        pytest.skip("shellcheck is not installed (installers/setup.sh installs it)")
    out = subprocess.run(["shellcheck", str(script)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout


def test_desktop_entry_is_valid_and_runs_the_gui_program():
    entry = (INSTALLERS / "linux" / "dhstudio.desktop").read_text()
    assert re.search(r"^Exec=dhstudio-gui %f$", entry, re.MULTILINE)
    assert re.search(r"^Icon=dhstudio$", entry, re.MULTILINE)
    if shutil.which("desktop-file-validate") is None:
        pytest.skip("desktop-file-validate is not installed (installers/setup.sh installs it)")
    out = subprocess.run(
        ["desktop-file-validate", str(INSTALLERS / "linux" / "dhstudio.desktop")],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0 and "error" not in out.stdout, out.stdout


def test_spec_builds_the_programs_pyproject_declares():
    """Both entry points of pyproject become programs of the same name, calling the same function."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    spec = (INSTALLERS / "dhstudio.spec").read_text()
    pairs = [
        (project["scripts"]["dhstudio"], "entry_cli", "dhstudio"),
        (project["gui-scripts"]["dhstudio-gui"], "entry_gui", "dhstudio-gui"),
    ]
    for target, entry, program in pairs:
        module, func = target.split(":")
        source = (INSTALLERS / "pyinstaller" / f"{entry}.py").read_text()
        assert f"from {module} import {func}" in source and f"sys.exit({func}())" in source
        assert f'program("{entry}", "{program}"' in spec
    assert "pyinstaller" in " ".join(project["optional-dependencies"]["build"]).lower()
    assert "pyinstaller" not in " ".join(project["optional-dependencies"]["dev"]).lower()


def test_icon_is_the_rendered_svg(qapp):  # pytest-qt's QApplication: later tests build widgets on it
    from PySide6.QtGui import QImage
    from PySide6.QtSvg import QSvgRenderer

    icons = REPO / "resources" / "icons"
    assert QSvgRenderer(str(icons / "dhstudio.svg")).isValid()
    png = QImage(str(icons / "dhstudio.png"))
    assert (png.width(), png.height()) == (256, 256) and png.hasAlphaChannel()


def _fake_build(folder: Path) -> Path:
    """A folder shaped like dist/dhstudio/ (programs are stand-ins: install.sh only copies them)."""
    folder.mkdir(parents=True)
    for name in ("dhstudio", "dhstudio-gui"):
        (folder / name).write_text("#!/bin/sh\necho ok\n")
        (folder / name).chmod(0o755)
    (folder / "_internal").mkdir()
    shutil.copy(INSTALLERS / "linux" / "install.sh", folder / "install.sh")
    shutil.copy(INSTALLERS / "linux" / "dhstudio.desktop", folder / "dhstudio.desktop")
    shutil.copy(REPO / "resources" / "icons" / "dhstudio.png", folder / "dhstudio.png")
    (folder / "install.sh").chmod(0o755)
    return folder


def test_install_sh_installs_for_the_user_and_uninstalls(tmp_path):
    app = _fake_build(tmp_path / "unpacked" / "dhstudio")
    prefix = tmp_path / "prefix"
    env = {**os.environ, "HOME": str(tmp_path)}
    out = subprocess.run([str(app / "install.sh"), str(prefix)], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    dest = prefix / "opt" / "dhstudio"
    assert (dest / "_internal").is_dir() and os.access(dest / "dhstudio-gui", os.X_OK)
    assert (prefix / "bin" / "dhstudio").resolve() == (dest / "dhstudio").resolve()
    entry = (prefix / "share" / "applications" / "dhstudio.desktop").read_text()
    assert f"Exec={dest}/dhstudio-gui %f" in entry
    icon = prefix / "share" / "icons" / "hicolor" / "256x256" / "apps" / "dhstudio.png"
    assert icon.read_bytes() == (REPO / "resources" / "icons" / "dhstudio.png").read_bytes()
    assert not stat.S_IMODE(icon.stat().st_mode) & 0o111
    out = subprocess.run(
        [str(dest / "install.sh"), "--uninstall", str(prefix)], capture_output=True, text=True, env=env
    )
    assert out.returncode == 0, out.stderr
    assert not dest.exists() and not (prefix / "bin" / "dhstudio").exists()
    assert not (prefix / "share" / "applications" / "dhstudio.desktop").exists()


def test_install_sh_refuses_a_folder_without_the_programs(tmp_path):
    folder = tmp_path / "x"
    folder.mkdir()
    shutil.copy(INSTALLERS / "linux" / "install.sh", folder / "install.sh")
    out = subprocess.run(
        ["bash", str(folder / "install.sh"), str(tmp_path / "p")], capture_output=True, text=True
    )
    assert out.returncode == 2 and "run me from the built dhstudio folder" in out.stderr
    assert not (tmp_path / "p").exists()


def test_build_script_rejects_unknown_options_before_building():
    out = subprocess.run(
        ["bash", str(INSTALLERS / "build_linux.sh"), "--flavour", "tpu"], capture_output=True, text=True
    )
    assert out.returncode == 2 and "--flavour must be cpu or gpu" in out.stderr
