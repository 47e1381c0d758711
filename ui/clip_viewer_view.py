"""The clip viewer: a prepared clip's frames with a scrubber and overlay toggles."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from ui.image import ImageLabel
from ui.translation import tr

OVERLAYS = ("landmarks", "crop boxes", "eyes", "mouth", "nose")


class ClipViewerView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clip_combo = QComboBox(self)
        self.clip_combo.setMinimumWidth(200)
        self.info = QLabel("", self)
        self.sync_button = QPushButton("Sound timing…", self)
        self.sync_button.setToolTip("Measure the sound's offset from the picture again, or set it")
        self.sync_button.setEnabled(False)  # a loaded clip with sound
        self.image = ImageLabel("Prepare a clip, then view it here.", self)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setEnabled(False)
        self.frame_label = QLabel("frame – / –", self)
        self.frame_label.setMinimumWidth(150)
        self.toggles = {name: QCheckBox(name.capitalize(), self) for name in OVERLAYS}
        self.toggles["landmarks"].setChecked(True)
        self.toggles["crop boxes"].setChecked(True)
        self.flag_label = QLabel("", self)
        top = QHBoxLayout()
        top.addWidget(QLabel("Clip:", self))
        top.addWidget(self.clip_combo)
        top.addWidget(self.info, 1)
        top.addWidget(self.sync_button)
        toggles = QHBoxLayout()
        toggles.addWidget(QLabel("Show:", self))
        for box in self.toggles.values():
            toggles.addWidget(box)
        toggles.addStretch(1)
        toggles.addWidget(self.flag_label)
        scrub = QHBoxLayout()
        scrub.addWidget(self.slider, 1)
        scrub.addWidget(self.frame_label)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.image, 1)
        layout.addLayout(toggles)
        layout.addLayout(scrub)

    def set_frame_count(self, count: int) -> None:
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(0, count - 1))
        self.slider.setValue(0)
        self.slider.blockSignals(False)
        self.slider.setEnabled(count > 0)

    def set_toggle_colours(self, colours: dict[str, str]) -> None:
        """Show each overlay's colour (hex) as a swatch on its checkbox, as a legend."""
        for name, colour in colours.items():
            box = self.toggles[name]
            box.setText(f"{tr(name.capitalize())} ■")
            box.setStyleSheet(f"QCheckBox {{ color: {colour}; font-weight: bold; }}")

    def overlays(self) -> set[str]:
        return {name for name, box in self.toggles.items() if box.isChecked()}
