"""Render resources/icons/dhstudio.svg to the PNG the window, the desktop entry and the installers use.

QT_QPA_PLATFORM=offscreen python installers/render_icon.py [SIZE]
"""

from __future__ import annotations

import sys
from pathlib import Path

ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"


def main(argv: list[str]) -> int:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    size = int(argv[0]) if argv else 256
    app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841 - QImage/QPainter need one
    renderer = QSvgRenderer(str(ICONS / "dhstudio.svg"))
    if not renderer.isValid():
        print(f"cannot read {ICONS / 'dhstudio.svg'}", file=sys.stderr)
        return 1
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    out = ICONS / "dhstudio.png"
    if not image.save(str(out)):
        print(f"cannot write {out}", file=sys.stderr)
        return 1
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
