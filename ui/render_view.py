"""Render and watch: pick a trained avatar and an audio file, render, and play the result."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
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

from ui.elided_combo import ElidedComboBox
from ui.player_view import PlayerView

__all__ = ["ElidedComboBox", "RenderView"]


class RenderView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        box = QGroupBox("Render a video", self)
        self.run_combo = ElidedComboBox(box)
        self.audio_model_combo = ElidedComboBox(box)
        self.audio_edit = QLineEdit(box)
        self.audio_edit.setPlaceholderText("speech: wav, mp3, m4a…")
        self.audio_edit.setMinimumWidth(
            self.audio_edit.fontMetrics().horizontalAdvance(self.audio_edit.placeholderText()) + 16
        )
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
        # long export paths elide in the middle (file name end kept; the item's tooltip has it all)
        self.videos.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.videos.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.videos.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
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
        # beside the Live dock on a 1366 px screen the tabs are about 740 px: the form keeps what it
        # needs (its minimum) and the two sides share the rest evenly
        left.setMinimumWidth(left.minimumSizeHint().width())
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setSizes([500, 500])
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(split)
