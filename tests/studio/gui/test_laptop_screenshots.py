"""`python -m studio.gui.laptop_screenshots`: every panel saved as the window is laid out for a screen."""

from __future__ import annotations

import os
import subprocess
import sys

from PySide6.QtGui import QImage

from studio.project import create_project


def test_every_panel_is_saved_at_the_laptop_screens_size(tmp_path, repo_root) -> None:
    project = create_project(tmp_path / "proj", "proj")
    out = tmp_path / "shots"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(repo_root))
    command = [sys.executable, "-m", "studio.gui.laptop_screenshots", str(out), str(project.root)]
    run = subprocess.run(
        [*command, "--screen", "1280x720", "--language", "zh_CN"],
        cwd=repo_root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert "window=1280x720" in run.stdout
    names = sorted(p.name for p in out.glob("*.png"))
    assert len(names) == 13 and all(n.endswith("-zh_CN.png") for n in names), names
    window = QImage(str(out / "3-training-0-0-zh_CN.png"))
    assert (window.width(), window.height()) == (1280, 720)
    dock = QImage(str(out / "11-live-dock-zh_CN.png"))
    assert 300 <= dock.width() <= 400  # the Live dock narrow on a laptop screen
