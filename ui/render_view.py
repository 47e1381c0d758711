"""Render and watch: pick a trained avatar and an audio file, render, and play the result."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ui.player_view import PlayerView


class RenderView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        box = QGroupBox("Render a video", self)
        self.run_combo = QComboBox(box)
        self.audio_model_combo = QComboBox(box)
        self.audio_edit = QLineEdit(box)
        self.audio_edit.setPlaceholderText("speech to put in the mouth: wav, mp3, m4a…")
        self.browse_button = QPushButton("Browse…", box)
        self.render_button = QPushButton("Render", box)
        self.render_button.setMinimumHeight(32)
        self.progress = QProgressBar(box)
        self.progress.setVisible(False)
        self.status = QLabel("", box)
        self.status.setWordWrap(True)
        audio_row = QHBoxLayout()
        audio_row.addWidget(self.audio_edit, 1)
        audio_row.addWidget(self.browse_button)
        form = QFormLayout(box)
        form.addRow("Avatar run:", self.run_combo)
        form.addRow("Audio model:", self.audio_model_combo)
        form.addRow("Audio file:", audio_row)
        form.addRow("", self.render_button)
        form.addRow("", self.progress)
        form.addRow("", self.status)
        videos_box = QGroupBox("Videos in this project", self)
        self.videos = QListWidget(videos_box)
        QVBoxLayout(videos_box).addWidget(self.videos)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(box)
        left_layout.addWidget(videos_box, 1)
        self.player = PlayerView(self)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(left)
        split.addWidget(self.player)
        split.setSizes([420, 640])
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(split)
