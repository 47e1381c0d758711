"""Open the main window on the current display, grab it to a PNG, and quit.

Used by the real-window (Xvfb) test and to make the README screenshot:
`xvfb-run -s "-screen 0 1280x800x24" python -m studio.gui.screenshot docs/screenshot.png [PROJECT]`
"""

from __future__ import annotations

import sys
from pathlib import Path

from studio.startup import prepare_environment


def main(argv: list[str]) -> int:
    prepare_environment()
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from studio.gui.main_controller import MainController
    from studio.gui.studio_panels import StudioPanels
    from ui.main_window import MainWindow

    out = Path(argv[0])
    app = QApplication([sys.argv[0]])
    window = MainWindow()
    controller = MainController(window)
    StudioPanels(window, controller)
    if len(argv) > 1:
        controller.open_path(Path(argv[1]))
    window.show()

    def grab() -> None:
        pixmap = window.grab()
        ok = pixmap.save(str(out), "PNG")
        print(f"platform={app.platformName()} saved={ok} size={pixmap.width()}x{pixmap.height()}")
        app.exit(0 if ok else 1)

    QTimer.singleShot(1500, grab)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
