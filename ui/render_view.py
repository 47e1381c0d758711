"""Render and watch: pick a trained avatar and an audio file, render, and play the result."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
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
    QStyle,
    QStyleOptionComboBox,
    QStylePainter,
    QVBoxLayout,
    QWidget,
)

from ui.player_view import PlayerView


class ElidedComboBox(QComboBox):
    """A combo that shows a long run name elided in the middle (start and kind kept), the full name as
    its tooltip, so a narrow column cuts nothing off and never asks for the whole name's width."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(16)
        self.currentTextChanged.connect(self.setToolTip)

    def displayed_text(self) -> str:
        """The current text as painted: elided to the edit field's width."""
        opt = QStyleOptionComboBox()
        self.initStyleOption(opt)
        field = self.style().subControlRect(
            QStyle.ComplexControl.CC_ComboBox, opt, QStyle.SubControl.SC_ComboBoxEditField, self
        )
        return self.fontMetrics().elidedText(
            self.currentText(), Qt.TextElideMode.ElideMiddle, field.width() - 2
        )

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt name)
        painter = QStylePainter(self)
        opt = QStyleOptionComboBox()
        self.initStyleOption(opt)
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, opt)
        opt.currentText = self.displayed_text()
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, opt)


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
