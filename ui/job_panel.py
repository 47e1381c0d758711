"""A panel showing the running job: progress, latest metrics, log lines, pause/cancel buttons.

Compact, for a dock under the panels on a 768 px laptop screen: the title, progress bar and buttons
share one row, the metrics line shows only when there are metrics, and the log's minimum is three
lines (its old minimum, with a row each for progress and an empty metrics line, was 164 px).
A running live session has a row of its own under the job's (its line and a Stop button), shown
only while the session runs: it runs beside the user's jobs, and Pause/Cancel stay theirs.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.translation import SHOWN_PROPERTY, SOURCE_PROPERTY, set_text

LOG_MIN_LINES = 3
IDLE = "No job running"
IDLE_BESIDE_LIVE = "No other job running"  # the title while only a live session runs


class JobPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel(self)
        set_text(self.title, IDLE)
        self.progress = QProgressBar(self)
        self.metrics = QLabel("", self)
        self.pause_button = QPushButton("Pause", self)
        self.pause_button.setCheckable(True)
        self.cancel_button = QPushButton("Cancel", self)
        self.metrics.setVisible(False)
        self.live_row = QWidget(self)
        self.live_label = QLabel("", self.live_row)
        self.live_label.setObjectName("live_job")
        self.live_stop_button = QPushButton("Stop Live", self.live_row)
        live = QHBoxLayout(self.live_row)
        live.setContentsMargins(0, 0, 0, 0)
        live.addWidget(self.live_label, 1)
        live.addWidget(self.live_stop_button)
        self.live_row.setVisible(False)
        self.log = QPlainTextEdit(self)
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(2000)
        frame = 2 * self.log.frameWidth() + 2 * int(self.log.document().documentMargin())
        self.log.setMinimumHeight(LOG_MIN_LINES * self.log.fontMetrics().lineSpacing() + frame)
        self.title.setMinimumWidth(120)
        self.progress.setMinimumWidth(160)
        row = QHBoxLayout()
        row.addWidget(self.title, 3)  # a job's progress message (and live status) is the longer part
        row.addWidget(self.progress, 2)
        row.addWidget(self.pause_button)
        row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(4)
        layout.addLayout(row)
        layout.addWidget(self.live_row)
        layout.addWidget(self.metrics)
        layout.addWidget(self.log, 1)
        self.set_running(False)

    def set_running(self, running: bool) -> None:
        self.pause_button.setEnabled(running)
        self.cancel_button.setEnabled(running)
        if not running:
            self.pause_button.setChecked(False)
            if self.progress.maximum() == 0:  # ended before reporting a total: still, not busy
                self.progress.setRange(0, 1)
                self.progress.setValue(0)

    def set_live(self, text: str) -> None:
        """The running live session's line ("Live: 0001-dinet — 24.8 fps"); "" once it has ended.
        An idle title says "No other job running" beside it, so the two lines never disagree."""
        self.live_label.setText(text)
        self.live_row.setVisible(bool(text))
        idle = self.title.property(SOURCE_PROPERTY) in (IDLE, IDLE_BESIDE_LIVE)
        if idle and self.title.text() == self.title.property(SHOWN_PROPERTY):
            set_text(self.title, IDLE_BESIDE_LIVE if text else IDLE)

    @property
    def live_shown(self) -> bool:
        return not self.live_row.isHidden()

    def set_progress(self, step: int, total: int, message: str) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(step)
        else:
            self.progress.setRange(0, 0)  # busy indicator
        if message:
            self.title.setText(message)

    def set_metrics(self, text: str) -> None:
        """The latest metric line; its row exists only while there is one."""
        self.metrics.setText(text)
        self.metrics.setVisible(bool(text))

    def append_log(self, text: str) -> None:
        self.log.appendPlainText(text)
