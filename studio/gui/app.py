"""GUI entry point: `python -m studio`, `dhstudio gui [PROJECT]`."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from core.compute.threads import apply_process_policy
from studio.startup import prepare_environment

log = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> int:
    apply_process_policy()  # before anything loads torch (OpenMP reads it once)
    prepare_environment()
    from PySide6.QtWidgets import QApplication

    from studio.gui import pyside_refcounts
    from studio.gui.main_controller import MainController
    from studio.gui.studio_panels import StudioPanels
    from studio.gui.style import apply_style
    from studio.gui.terminal_ctrl_c import ctrl_c_closes
    from ui.main_window import MainWindow

    pyside_refcounts.install()  # PySide6 6.12 on Python < 3.12 would use up None's references
    argv = sys.argv[1:] if argv is None else argv
    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    app.setApplicationName("Digital Human Studio")
    app.setWindowIcon(_app_icon())
    apply_style(app)
    window = MainWindow()
    controller = MainController(window)
    panels = StudioPanels(window, controller)  # live dock, Export menu, settings, theme, language
    app.aboutToQuit.connect(panels.shutdown)
    app.aboutToQuit.connect(controller.shutdown)
    project = next((a for a in argv if not a.startswith("-")), None)
    if project:
        controller.open_path(Path(project))
    window.show()
    _quit_after_if_asked(app, window)
    with ctrl_c_closes(window) as closed:
        log.debug("studio window shown")
        code = app.exec()
    return 130 if closed else code


def _app_icon():
    """The studio's icon (resources/icons), also used by the Linux desktop entry and the installers."""
    from importlib import resources

    from PySide6.QtGui import QIcon

    return QIcon(str(resources.files("resources").joinpath("icons", "dhstudio.png")))


def _quit_after_if_asked(app, window) -> None:
    """`DHSTUDIO_QUIT_AFTER_MS=N`: print what was shown and quit after N ms (the installers' smoke check)."""
    ms = os.environ.get("DHSTUDIO_QUIT_AFTER_MS")
    if not ms:
        return
    from PySide6.QtCore import QTimer

    def report() -> None:
        size = window.size()
        print(f"window shown: {window.windowTitle()!r} {size.width()}x{size.height()}", flush=True)
        app.quit()

    QTimer.singleShot(int(ms), report)


if __name__ == "__main__":
    sys.exit(main())
