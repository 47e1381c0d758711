"""A label that shows an RGB uint8 image scaled to fit, keeping its aspect ratio."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


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
        self.setStyleSheet("background: #202020; color: #bbb;")
        self._pixmap: QPixmap | None = None
        self.shown = 0  # images shown so far (tests and the overhead benchmark read it)

    def set_image(self, image: np.ndarray) -> None:
        self._pixmap = to_pixmap(image)
        self.shown += 1
        self._rescale()

    def clear_image(self, placeholder: str = "") -> None:
        self._pixmap = None
        self.setPixmap(QPixmap())
        self.setText(placeholder)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._rescale()

    def _rescale(self) -> None:
        if self._pixmap is not None and self.width() > 0 and self.height() > 0:
            self.setPixmap(
                self._pixmap.scaled(
                    self.size(),
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
