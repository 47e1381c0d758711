"""The Gaussian viewport's widgets: an image the mouse orbits, pans and zooms, a frame scrubber.

The view only reports what the user asked for (``camera_changed``, ``frame_changed``,
``mode_changed``); the controller renders on a worker and calls :meth:`show_render`.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QSlider, QVBoxLayout, QWidget

from ui.image_view import ImageView
from ui.translation import tr


class OrbitView(ImageView):
    """Left drag orbits, right (or shift+left) drag pans, the wheel zooms."""

    orbit = Signal(float, float)  # degrees yaw, pitch
    pan = Signal(float, float)  # fractions of the view
    zoom = Signal(float)  # factor (>1 = closer)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("No Gaussians yet", parent)
        self._last: QPointF | None = None

    def mousePressEvent(self, event) -> None:  # noqa: N802
        self._last = event.position()

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        self._last = None

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        if self._last is None:
            return
        d = event.position() - self._last
        self._last = event.position()
        panning = event.buttons() & Qt.MouseButton.RightButton or (
            event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        )
        if panning:
            self.pan.emit(d.x() / max(self.width(), 1), d.y() / max(self.height(), 1))
        else:
            self.orbit.emit(d.x() * 0.5, d.y() * 0.5)

    def wheelEvent(self, event) -> None:  # noqa: N802
        self.zoom.emit(1.1 ** (event.angleDelta().y() / 120.0))


class GaussianViewport(QWidget):
    frame_changed = Signal(int)
    mode_changed = Signal(str)  # "ellipsoids" | "points"
    reset_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = OrbitView(self)
        self.frame_slider = QSlider(Qt.Orientation.Horizontal, self)
        self.frame_slider.setRange(0, 0)
        self.frame_slider.valueChanged.connect(self.frame_changed)
        self.frame_label = QLabel("frame 0", self)
        self.mode = QComboBox(self)
        self.mode.addItems(["ellipsoids", "points"])
        self.mode.currentTextChanged.connect(self.mode_changed)
        self.reset_button = QPushButton("Reset view", self)
        self.reset_button.clicked.connect(self.reset_requested)
        self.info = QLabel("Drag: orbit · right-drag: pan · wheel: zoom", self)
        self.info.setObjectName("hint")
        row = QHBoxLayout()
        row.addWidget(QLabel("Frame", self))
        row.addWidget(self.frame_slider, 1)
        row.addWidget(self.frame_label)
        row.addWidget(self.mode)
        row.addWidget(self.reset_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 1)
        layout.addLayout(row)
        layout.addWidget(self.info)

    def set_frame_count(self, n: int) -> None:
        self.frame_slider.blockSignals(True)
        self.frame_slider.setRange(0, max(0, n - 1))
        self.frame_slider.blockSignals(False)

    def show_render(self, image: np.ndarray, frame: int, info: str) -> None:
        self.view.set_image(image)
        self.frame_label.setText(tr("frame {frame}").format(frame=frame))
        self.info.setText(info)
