"""One test with a real X server (Xvfb), not the offscreen platform: catches Qt plugin mismatches."""

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest


@pytest.mark.xvfb
def test_main_window_opens_on_a_real_x_server(tmp_path, repo_root):
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        pytest.skip("Xvfb not installed (apt-get install xvfb)")
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        [xvfb, "-displayfd", str(write_fd), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    try:
        display = os.read(read_fd, 16).decode().strip()
        assert display, "Xvfb did not report a display number"
        env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
        env["DISPLAY"] = f":{display}"
        env["QT_QPA_PLATFORM_PLUGIN_PATH"] = "/nonexistent/cv2/qt/plugins"  # what importing cv2 would set
        png = tmp_path / "window.png"
        out = subprocess.run(
            [sys.executable, "-m", "studio.gui.screenshot", str(png)],
            cwd=repo_root,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert out.returncode == 0, out.stderr[-2000:]
        assert "platform=xcb" in out.stdout
        import cv2

        img = cv2.imread(str(png))
        assert img is not None and img.shape[0] > 400 and img.shape[1] > 600
        assert np.std(img) > 10, "the window rendered blank"
    finally:
        os.close(read_fd)
        server.terminate()
        server.wait(10)
