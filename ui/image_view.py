"""A label that shows an RGB uint8 image scaled to fit, keeping its aspect ratio.

An image made of equal-width columns (a training sample grid) can come with their names; they are
drawn as a header row above the image at screen resolution, so they stay readable however small
the grid is scaled.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

BACKGROUND = "#202020"
HEADER_TEXT = "#dddddd"


def to_pixmap(image: np.ndarray) -> QPixmap:
    image = np.ascontiguousarray(image)
    h, w = image.shape[:2]
    qimage = QImage(image.data, w, h, 3 * w, QImage.Format.Format_RGB888)
    return QPixmap.fromImage(qimage.copy())  # copy: the array may be freed after this call


class ImageView(QLabel):
    def __init__(self, placeholder: str = "", parent: QWidget | None = None) -> None:
        super().__init__(placeholder, parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(160, 120)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.setStyleSheet(f"background: {BACKGROUND}; color: #bbb;")
        self.setWordWrap(True)  # a placeholder wider than a narrow view wraps instead of losing both ends
        self._pixmap: QPixmap | None = None
        self.columns: tuple[str, ...] = ()  # names of the shown image's columns, left to right
        self.shown = 0  # images shown so far (tests and the overhead benchmark read it)

    @property
    def image_size(self) -> tuple[int, int]:
        """(width, height) of the image shown, before scaling ((0, 0) when none)."""
        return (self._pixmap.width(), self._pixmap.height()) if self._pixmap is not None else (0, 0)

    def set_image(self, image: np.ndarray, columns: tuple[str, ...] | list[str] = ()) -> None:
        self._pixmap = to_pixmap(image)
        self.columns = tuple(columns)
        self.setToolTip(" | ".join(self.columns))
        self.shown += 1
        self._rescale()

    def clear_image(self, placeholder: str = "") -> None:
        self._pixmap = None
        self.columns = ()
        self.setToolTip("")
        self.setPixmap(QPixmap())
        self.setText(placeholder)

    def header_height(self) -> int:
        """Pixels of the label row above the image (0 without column names)."""
        return self.fontMetrics().height() + 8 if self.columns else 0

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._rescale()

    def _rescale(self) -> None:
        if self._pixmap is None or self.width() <= 0 or self.height() <= 0:
            return
        header = self.header_height()
        scaled = self._pixmap.scaled(
            self.width(),
            max(1, self.height() - header),
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        self.setPixmap(self._with_header(scaled, header) if header else scaled)

    def _with_header(self, scaled: QPixmap, header: int) -> QPixmap:
        """`scaled` under a row with each column's name centred over it (elided when too long)."""
        out = QPixmap(scaled.width(), scaled.height() + header)
        out.fill(QColor(BACKGROUND))
        painter = QPainter(out)
        painter.drawPixmap(0, header, scaled)
        painter.setFont(self.font())
        painter.setPen(QColor(HEADER_TEXT))
        metrics = self.fontMetrics()
        n = len(self.columns)
        for i, name in enumerate(self.columns):
            x0, x1 = round(i * scaled.width() / n), round((i + 1) * scaled.width() / n)
            text = metrics.elidedText(name, Qt.TextElideMode.ElideRight, max(1, x1 - x0 - 6))
            painter.drawText(QRect(x0, 0, x1 - x0, header), Qt.AlignmentFlag.AlignCenter, text)
        painter.end()
        return out
