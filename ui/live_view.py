"""The live panel's layout: avatar, input and backend choice, the avatar view, readouts, controls.

Layout only; `studio.gui.live_controller.LiveController` fills and drives it. Sliders hold
integers (`SLIDERS` says the scale); the controller turns them into control-sheet values.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QBoxLayout,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from ui.elided_combo import ElidedComboBox
from ui.translation import tr, tr_message

# control name -> (label, slider minimum, maximum, scale: slider value / scale = control value)
SLIDERS: dict[str, tuple[str, int, int, float]] = {
    "gain": ("Mouth opening", 0, 200, 100.0),
    "smoothing": ("Smoothing", 0, 90, 100.0),
    "feather": ("Paste-back feather", 0, 50, 100.0),
    "lookahead": ("Extra lookahead (frames)", 0, 4, 1.0),
}
SIDE_MIN_W, SIDE_MAX_W = 340, 440  # the controls column
VIEW_MIN_W, VIEW_MIN_H = 240, 180  # the avatar view
LATENCY_BUDGET_MS = 100.0  # live's p95 goal (core.realtime.lookahead.BUDGET_MS; a test keeps them equal)
STACKED_VIEW_MIN_H = 240  # above the controls it has the dock's whole width


PLACEHOLDER = "The avatar appears here when the session starts."


class AvatarView(QLabel):
    """Shows the newest frame at its native size or fitted to the panel."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(VIEW_MIN_W, VIEW_MIN_H)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setStyleSheet("background: #202020; color: #bbbbbb;")
        self.setWordWrap(True)  # the placeholder wraps instead of widening (or being cut in) a narrow dock
        self.setText(PLACEHOLDER)
        self.fitted = True
        self.frames_shown = 0
        self._pixmap: QPixmap | None = None

    def show_rgb(self, rgb: np.ndarray) -> None:
        rgb = np.ascontiguousarray(rgb)
        h, w = rgb.shape[:2]
        image = QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
        self._pixmap = QPixmap.fromImage(image)
        self.frames_shown += 1
        self._update()

    def clear_frame(self) -> None:
        """Back to the placeholder (another project: its avatar is not this one's)."""
        self._pixmap = None
        self.clear()
        self.setText(tr(PLACEHOLDER))

    def set_fitted(self, fitted: bool) -> None:
        self.fitted = fitted
        self._update()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._update()

    def _update(self) -> None:
        if self._pixmap is None:
            return
        if self.fitted:
            keep, smooth = Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            self.setPixmap(self._pixmap.scaled(self.size(), keep, smooth))
        else:
            self.setPixmap(self._pixmap)


class LiveView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("live_view")
        # a run's name and kind ('demo-gaussian — Gaussian head avatar') elided in the middle in a
        # narrow dock, never cut off at the end; the full name is its tooltip
        self.avatar_combo = ElidedComboBox(self)
        self.avatar_combo.setMinimumContentsLength(24)
        self.mic_radio = QRadioButton("Microphone", self)
        self.file_radio = QRadioButton("Audio file", self)
        self.file_radio.setChecked(True)
        self.device_combo = QComboBox(self)
        self.file_edit = QLineEdit(self)
        self.file_edit.setPlaceholderText("speech.wav / .mp3 / .m4a")
        self.browse_button = QPushButton("Browse…", self)
        self.backend_combo = QComboBox(self)
        self.record_check = QCheckBox("Record to mp4", self)
        self.record_edit = QLineEdit(self)
        self.record_edit.setPlaceholderText("PROJECT/exports/live.mp4")
        self.monitor_check = QCheckBox("Monitor audio on the speakers", self)
        self.start_button = QPushButton("Start", self)
        self.stop_button = QPushButton("Stop", self)
        self.stop_button.setEnabled(False)
        self.start_button.setDefault(True)

        self.message = QLabel("", self)
        self.message.setWordWrap(True)
        self.message.setObjectName("live_message")
        self.message.setVisible(False)

        self.level = QProgressBar(self)
        self.level.setRange(-60, 0)
        self.level.setValue(-60)
        self.level.setTextVisible(False)
        self.level.setMaximumHeight(14)
        self.level_label = QLabel("– dBFS", self)
        self.level_label.setMinimumWidth(64)
        # how far the voice is shifted to the training clip's level (shown while a session matches it)
        self.level_shift_label = QLabel(self)
        self.level_shift_label.setWordWrap(True)
        self.level_shift_label.setVisible(False)
        self.view = AvatarView(self)
        self.fit_check = QCheckBox("Fit to panel", self)
        self.fit_check.setChecked(True)

        self.fps_label = QLabel("fps –", self)
        self.latency_label = QLabel("latency p50 – / p95 – ms", self)  # coloured like the graph's lines
        self.drops_label = QLabel("dropped 0 · underruns 0", self)
        self.graph = pg.PlotWidget(self)
        self.graph.setMaximumHeight(110)
        self.graph.setMinimumHeight(80)
        self.graph.setLabel("left", "ms")
        self.graph.showGrid(y=True, alpha=0.3)
        # the live budget, so a glance says whether the tail is under it; the axes start on the
        # budget and a few seconds (an empty plot otherwise showed 0..1 ms over 0..1 s)
        self.budget_line = self.graph.addLine(
            y=LATENCY_BUDGET_MS, pen=pg.mkPen("#9e9e9e", width=1, style=Qt.PenStyle.DashLine)
        )
        self.graph.setXRange(0, 10, padding=0)
        self.show_latency_range(0.0)
        self.p50_curve = self.graph.plot(pen=pg.mkPen("#4fc3f7", width=2), name="p50")
        self.p95_curve = self.graph.plot(pen=pg.mkPen("#ff8a65", width=2), name="p95")

        self.sliders: dict[str, QSlider] = {}
        self.slider_values: dict[str, QLabel] = {}
        # what the chosen lookahead costs and keeps (the measured trade-off; the controller fills it)
        self.lookahead_note = QLabel("", self)
        self.lookahead_note.setObjectName("lookahead_note")
        self.lookahead_note.setWordWrap(True)
        self._build_layout()

    def _build_layout(self) -> None:
        source = QGroupBox("Avatar and input", self)
        form = QFormLayout(source)
        form.addRow("Avatar", self.avatar_combo)
        inputs = QGridLayout()
        inputs.addWidget(self.mic_radio, 0, 0)
        inputs.addWidget(self.device_combo, 0, 1, 1, 2)
        inputs.addWidget(self.file_radio, 1, 0)
        inputs.addWidget(self.browse_button, 1, 2)
        # the file's own row, the column's whole width: beside the radio and Browse it had ~75 px and
        # showed 'speech.w…' or the last letters of a chosen file
        inputs.addWidget(self.file_edit, 2, 0, 1, 3)
        inputs.setColumnStretch(1, 1)
        form.addRow("Input", inputs)
        form.addRow("Backend", self.backend_combo)
        # Start right after the choices it needs: in the narrow dock of a 1280x720 screen, below the
        # recording options it was just past the dock's edge (Record stays live while running)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.stop_button)
        form.addRow(buttons)
        record = QHBoxLayout()
        record.addWidget(self.record_check)
        record.addWidget(self.record_edit, 1)
        form.addRow(record)
        form.addRow(self.monitor_check)
        level = QHBoxLayout()
        level.addWidget(self.level, 1)
        level.addWidget(self.level_label)
        form.addRow("Level", level)
        form.addRow("", self.level_shift_label)

        controls = QGroupBox("Controls (apply on the next frame)", self)
        grid = QGridLayout(controls)
        for row, (name, (label, lo, hi, _)) in enumerate(SLIDERS.items()):
            slider = QSlider(Qt.Orientation.Horizontal, controls)
            slider.setRange(lo, hi)
            slider.setObjectName(f"slider_{name}")
            value = QLabel("", controls)
            value.setMinimumWidth(40)
            grid.addWidget(QLabel(label, controls), row, 0)
            grid.addWidget(slider, row, 1)
            grid.addWidget(value, row, 2)
            self.sliders[name] = slider
            self.slider_values[name] = value
        grid.addWidget(self.lookahead_note, len(SLIDERS), 0, 1, 3)

        readouts = QGroupBox("Performance", self)
        rl = QVBoxLayout(readouts)
        for w in (self.fps_label, self.latency_label, self.drops_label, self.graph):
            rl.addWidget(w)

        side = QWidget(self)
        sl = QVBoxLayout(side)
        sl.setContentsMargins(0, 0, 0, 0)
        for w in (source, controls, readouts):
            sl.addWidget(w)
        sl.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidget(side)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(SIDE_MIN_W)
        scroll.setMaximumWidth(SIDE_MAX_W)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.side_scroll, self._side = scroll, side
        side.installEventFilter(self)

        centre = QVBoxLayout()
        centre.addWidget(self.message)
        centre.addWidget(self.view, 1)
        centre.addWidget(self.fit_check)
        # side by side when there is room; in a narrow dock the avatar goes on top of the controls
        # (BottomToTop: the second item first) instead of being scrolled out of sight
        self.arrangement = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self.arrangement.addWidget(scroll)
        self.arrangement.addLayout(centre, 1)

    def side_by_side_width(self) -> int:
        """The narrowest width at which controls and avatar fit beside each other."""
        m = self.arrangement.contentsMargins()
        return SIDE_MIN_W + VIEW_MIN_W + self.arrangement.spacing() + m.left() + m.right()

    def stacked(self) -> bool:
        return self.arrangement.direction() == QBoxLayout.Direction.BottomToTop

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        # the stacked arrangement's width, so a scrolling dock gives the panel only the width it has
        hint = super().minimumSizeHint()
        m = self.arrangement.contentsMargins()
        return QSize(SIDE_MIN_W + m.left() + m.right(), hint.height())

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        narrow = event.size().width() < self.side_by_side_width()
        if narrow != self.stacked():
            direction = QBoxLayout.Direction.BottomToTop if narrow else QBoxLayout.Direction.LeftToRight
            self.arrangement.setDirection(direction)
            self.view.setMinimumHeight(STACKED_VIEW_MIN_H if narrow else VIEW_MIN_H)
            # stacked, the controls show whole and the dock scrolls: no second scroll bar inside it
            off, auto = Qt.ScrollBarPolicy.ScrollBarAlwaysOff, Qt.ScrollBarPolicy.ScrollBarAsNeeded
            self.side_scroll.setVerticalScrollBarPolicy(off if narrow else auto)
        super().resizeEvent(event)
        self._fit_controls(event.size().width())

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt override)
        # the controls' texts changed (a translation, a message, the lookahead note): their height too
        if watched is self._side and event.type() == QEvent.Type.LayoutRequest:
            self._fit_controls(self.width())
        return super().eventFilter(watched, event)

    def _fit_controls(self, width: int) -> None:
        """Stacked, the controls are as tall as they are at this width (every wrapped line)."""
        height = self.controls_height(min(width, SIDE_MAX_W)) if self.stacked() else 0
        if height != self.side_scroll.minimumHeight():
            self.side_scroll.setMinimumHeight(height)

    def controls_height(self, width: int) -> int:
        """The controls column's height at `width`: its wrapped lines counted, not its size hint's."""
        m = self.arrangement.contentsMargins()
        width -= m.left() + m.right()
        side = self._side.layout()
        need = side.heightForWidth(width) if side.hasHeightForWidth() else -1
        return max(need, self._side.sizeHint().height())

    def show_latency_range(self, highest_ms: float) -> None:
        """The graph's height: from 0 past the 100 ms budget, and past the highest p95 shown."""
        self.graph.setYRange(0, max(LATENCY_BUDGET_MS * 1.5, highest_ms * 1.1), padding=0)

    def show_latency(self, seconds: list[float], p50: list[float], p95: list[float]) -> None:
        """The session's latency so far: the x axis follows the session, at least its first 10 s."""
        self.p50_curve.setData(seconds, p50)
        self.p95_curve.setData(seconds, p95)
        self.graph.setXRange(0, max(10.0, seconds[-1] if seconds else 0.0), padding=0)
        self.show_latency_range(max(p95, default=0.0))

    def set_lookahead_note(self, text: str) -> None:
        """The lookahead slider's trade-off line, under the sliders and as the slider's tooltip."""
        self.lookahead_note.setText(text)
        self.sliders["lookahead"].setToolTip(text)

    def show_message(self, text: str, error: bool = True) -> None:
        """A message in the panel (never a modal dialog): faults, a missing microphone."""
        self.message.setProperty("tone", "error" if error else "info")  # coloured by the theme
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(tr_message(text))
        self.message.setVisible(bool(text))

    def set_running(self, running: bool) -> None:
        """Choices lock while a session runs; Record stays live (it starts/stops a recording)."""
        self.start_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        for w in (
            self.avatar_combo,
            self.mic_radio,
            self.file_radio,
            self.device_combo,
            self.file_edit,
            self.browse_button,
            self.backend_combo,
            self.record_edit,
            self.monitor_check,
        ):
            w.setEnabled(not running)
