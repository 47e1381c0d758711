"""The preview window of `dhstudio live`, and whether one can open at all.

OpenCV's window backends abort the whole process (SIGABRT) when they cannot reach a display, so
the command asks `display_problem()` first and runs headless with a note instead.
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path


def _x11_reachable(display: str) -> bool:
    """Whether an X server answers at `display` (":0", "localhost:10.0", "unix:1")."""
    host, _, rest = display.rpartition(":")
    number = rest.split(".")[0]
    if not number.isdigit():
        return False
    if host in ("", "unix"):
        for address in (f"/tmp/.X11-unix/X{number}", f"\0/tmp/.X11-unix/X{number}"):
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.settimeout(0.5)
                try:
                    s.connect(address)
                    return True
                except OSError:
                    continue
        return False
    try:
        with socket.create_connection((host, 6000 + int(number)), timeout=0.5):
            return True
    except OSError:
        return False


def _wayland_reachable(name: str) -> bool:
    path = (
        Path(name) if name.startswith("/") else Path(os.environ.get("XDG_RUNTIME_DIR", "/nonexistent")) / name
    )
    return path.exists()


def display_problem(env: dict[str, str] | None = None, platform: str | None = None) -> str:
    """Why no preview window can open here ("" when one can)."""
    env = dict(os.environ) if env is None else env
    platform = platform or sys.platform
    if env.get("QT_QPA_PLATFORM", "").split(":")[0] in ("offscreen", "minimal"):
        return f"QT_QPA_PLATFORM={env['QT_QPA_PLATFORM']}"
    if not platform.startswith(("linux", "freebsd", "openbsd")):
        return ""
    wayland, x11 = env.get("WAYLAND_DISPLAY", ""), env.get("DISPLAY", "")
    if wayland and _wayland_reachable(wayland):
        return ""
    if x11 and _x11_reachable(x11):
        return ""
    if x11:
        return f"no X server answers at DISPLAY={x11}"
    if wayland:
        return f"no Wayland socket {wayland}"
    return "no $DISPLAY or $WAYLAND_DISPLAY (SSH session, CI or console)"


class Window:
    """Shows preview events in an OpenCV window; turns itself off where showing fails."""

    def __init__(self) -> None:
        self.enabled = True

    def run(self, job, quiet: bool):
        from core.jobs.events import Preview
        from studio.console_runner import ConsoleRunner

        runner = ConsoleRunner(quiet=quiet)
        forward = runner._on_event

        def on_event(event) -> None:
            if isinstance(event, Preview) and self.enabled:
                self._show(event.image)
            forward(event)

        runner._on_event = on_event  # type: ignore[method-assign]
        try:
            return runner.run(job)
        finally:
            if self.enabled:
                try:
                    import cv2

                    cv2.destroyAllWindows()
                except Exception:
                    pass

    def _show(self, rgb) -> None:
        try:
            import cv2

            cv2.imshow("dhstudio live", rgb[..., ::-1])
            cv2.waitKey(1)
        except Exception:
            self.enabled = False
