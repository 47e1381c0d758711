"""GUI entry point: `python -m studio`, `dhstudio gui [PROJECT]`."""

from __future__ import annotations

import sys
from pathlib import Path

from core.compute.threads import apply_process_policy
from studio.startup import prepare_environment


def main(argv: list[str] | None = None) -> int:
    apply_process_policy()  # before anything loads torch (OpenMP reads it once)
    prepare_environment()
    from PySide6.QtWidgets import QApplication

    from studio.gui.main_controller import MainController
    from studio.gui.studio_panels import StudioPanels
    from studio.gui.style import apply_style
    from ui.main_window import MainWindow

    argv = sys.argv[1:] if argv is None else argv
    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    app.setApplicationName("Digital Human Studio")
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
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
