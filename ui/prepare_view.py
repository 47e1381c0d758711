"""Preparing a clip: the settings dialog, and the panel with live tracking preview, progress and summary."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.dialog_buttons import ok_cancel
from ui.image import ImageLabel
from ui.sound_sync import SoundSyncChoice
from ui.translation import tr


class PrepareDialog(QDialog):
    """The settings `dhstudio prepare` takes: output frame rate, mouth size and sound sync."""

    def __init__(self, clip: str, mouth_sizes: tuple[int, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Prepare '{clip}'").format(clip=clip))
        self.fps = QDoubleSpinBox(self)
        self.fps.setRange(1.0, 120.0)
        self.fps.setDecimals(2)
        self.fps.setValue(25.0)
        self.fps.setSuffix(" fps")
        self.mouth_size = QComboBox(self)
        for size in mouth_sizes:
            self.mouth_size.addItem(f"{size} px", size)
        self.mouth_size.setCurrentIndex(max(0, list(mouth_sizes).index(128) if 128 in mouth_sizes else 0))
        # `--av-sync auto|off|MS`: measure the sound's offset from the picture and correct it, keep
        # the file's timing, or correct a known offset
        self.sync_choice = SoundSyncChoice(self)
        self.sync, self.sync_ms = self.sync_choice.mode, self.sync_choice.ms
        form = QFormLayout()
        form.addRow("Frame rate:", self.fps)
        form.addRow("Mouth size:", self.mouth_size)
        form.addRow("Sound sync:", self.sync_choice)
        note = QLabel("The face is tracked in every frame; frames without a face are flagged.", self)
        note.setWordWrap(True)
        note.setObjectName("hint")
        buttons = ok_cancel(self, "Prepare")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def sync_mode(self) -> str:
        return self.sync_choice.current_mode()

    def values(self) -> tuple[float, int, str | float]:
        """(fps, mouth size, av_sync): av_sync is 'auto', 'off' or the fixed offset in ms."""
        return float(self.fps.value()), int(self.mouth_size.currentData()), self.sync_choice.value()


class PrepareView(QDialog):
    """Non-modal: closing it leaves the job running (the Jobs panel still shows it)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preparing")
        self.resize(720, 640)
        self.setModal(False)
        self.heading = QLabel("", self)
        self.preview = ImageLabel("waiting for the first tracked frame…", self)
        self.preview.setMinimumSize(480, 360)
        legend = QLabel(
            "<span style='color:#00b8d4'>●</span> landmarks &nbsp; "
            "<span style='color:#00c853'>■</span> face crop &nbsp; "
            "<span style='color:#d50000'>■</span> mouth crop",
            self,
        )
        self.progress = QProgressBar(self)
        self.rate = QLabel("", self)
        self.cancel_button = QPushButton("Cancel", self)
        self.summary_box = QGroupBox("Summary", self)
        self.summary = QLabel("", self.summary_box)
        self.summary.setWordWrap(True)
        QVBoxLayout(self.summary_box).addWidget(self.summary)
        self.summary_box.setVisible(False)
        self.viewer_button = QPushButton("Open in Clip Viewer", self)
        self.viewer_button.setVisible(False)
        self.close_button = QPushButton("Close", self)
        self.close_button.clicked.connect(self.hide)
        row = QHBoxLayout()
        row.addWidget(self.rate, 1)
        row.addWidget(self.cancel_button)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.viewer_button)
        bottom.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.preview, 1)
        layout.addWidget(legend)
        layout.addWidget(self.progress)
        layout.addLayout(row)
        layout.addWidget(self.summary_box)
        layout.addLayout(bottom)

    def start(self, clip: str) -> None:
        self.heading.setText(f"<h3>Preparing '{clip}'</h3>")
        self.preview.set_image(None)
        self.progress.setRange(0, 0)
        self.rate.setText("starting…")
        self.cancel_button.setEnabled(True)
        self.summary_box.setVisible(False)
        self.viewer_button.setVisible(False)

    def set_progress(self, step: int, total: int, rate_text: str) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(step)
        self.rate.setText(rate_text)

    def finish(self, heading: str, summary: str, can_view: bool) -> None:
        self.heading.setText(heading)
        self.cancel_button.setEnabled(False)
        self.summary.setText(summary)
        self.summary_box.setVisible(bool(summary))
        self.viewer_button.setVisible(can_view)
