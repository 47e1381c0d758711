"""The settings dialog's layout: appearance, language, default device, live preview rate, microphone."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ui.dialog_buttons import ok_cancel


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
        self.buttons = ok_cancel(self)
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
