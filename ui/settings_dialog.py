"""The settings dialog's layout: appearance, language, default device, live preview rate, microphone."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)


class SettingsDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setMinimumWidth(440)
        self.theme_combo = QComboBox(self)
        self.language_combo = QComboBox(self)
        self.device_combo = QComboBox(self)
        self.preview_spin = QSpinBox(self)
        self.preview_spin.setRange(1, 60)
        self.preview_spin.setSuffix(" fps")
        self.microphone_combo = QComboBox(self)
        self.note = QLabel("", self)
        self.note.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Theme", self.theme_combo)
        form.addRow("Language", self.language_combo)
        form.addRow("Default device", self.device_combo)
        form.addRow("Live preview rate", self.preview_spin)
        form.addRow("Microphone", self.microphone_combo)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addWidget(self.buttons)
