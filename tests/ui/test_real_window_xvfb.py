"""One test with a real X server (Xvfb), not the offscreen platform: catches Qt plugin mismatches."""

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest


@pytest.fixture
def x_display():
    """A private Xvfb server's display name (':N')."""
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        pytest.skip("Xvfb not installed (apt-get install xvfb)")
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        [xvfb, "-displayfd", str(write_fd), "-screen", "0", "1400x900x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    try:
        display = os.read(read_fd, 16).decode().strip()
        assert display, "Xvfb did not report a display number"
        yield f":{display}"
    finally:
        os.close(read_fd)
        server.terminate()
        server.wait(10)


def _screenshot(
    args: list[str], repo_root, display: str, timeout: float, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """`python -m studio.gui.screenshot ARGS` on the X server `display` (not offscreen); must exit 0."""
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env.update(DISPLAY=display, **(extra_env or {}))
    out = subprocess.run(
        [sys.executable, "-m", "studio.gui.screenshot", *args],
        cwd=repo_root,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return out


@pytest.mark.xvfb
def test_main_window_opens_on_a_real_x_server(tmp_path, repo_root, x_display):
    png = tmp_path / "window.png"
    plugins = {"QT_QPA_PLATFORM_PLUGIN_PATH": "/nonexistent/cv2/qt/plugins"}  # what importing cv2 would set
    out = _screenshot([str(png)], repo_root, x_display, 60, plugins)
    assert "platform=xcb" in out.stdout
    import cv2

    img = cv2.imread(str(png))
    assert img is not None and img.shape[0] > 400 and img.shape[1] > 600
    assert np.std(img) > 10, "the window rendered blank"


@pytest.mark.xvfb
@pytest.mark.slow
def test_every_panel_is_screenshot_with_the_demo_project(tmp_path, repo_root, x_display):
    _screenshot(["--panels", str(tmp_path)], repo_root, x_display, 900)
    import cv2

    names = sorted(p.name for p in tmp_path.glob("*.png"))
    assert names == [
        "1-start.png",
        "2-media.png",
        "3-prepare-running.png",
        "4-prepare-summary.png",
        "5-clip-viewer.png",
        "5b-training.png",
        "6-runs.png",
        "7-render-play.png",
    ]
    for name in names:
        img = cv2.imread(str(tmp_path / name))
        assert img.shape[0] >= 600 and np.std(img) > 10, f"{name} is blank"
