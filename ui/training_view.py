"""The training panel's layout: choose and tune on the left, run and watch on the right.

Layout only; :class:`studio.gui.training_controller.TrainingController` fills and wires it.
It fits a 1366x768 laptop (a window about 700 px tall, the Jobs dock open): the settings column
and the Ablate tab scroll instead of setting the panel's height, the run bar is two rows and the
message row appears only with a message, so the curves and previews keep most of the height.
Its tabs are compact (less padding than the main tabs) and the settings column never gets
narrower than its tab bar, so beside the narrow Live dock (tabs about 900 px wide on a 1280 px
screen) every settings and watch tab shows whole instead of behind scroll arrows.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSlider,
    QSpinBox,
    QSplitter,
    QStyle,
    QTableWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui.config_form import ConfigForm
from ui.gaussian_viewport import GaussianViewport
from ui.image_view import ImageView
from ui.loss_plot import LossPlot
from ui.translation import tr_message

COMPACT_TABS = "QTabBar::tab { padding: 6px 10px; }"  # the main tabs have 16 px a side


class TrainingView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(COMPACT_TABS)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self._build_tune())
        splitter.addWidget(self._build_watch())
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([520, 760])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self._build_choose())
        layout.addWidget(splitter, 1)
        layout.addWidget(self._build_run())

    # choose ----------------------------------------------------------------------------------
    def _build_choose(self) -> QWidget:
        box = QWidget(self)
        self.family = QComboBox(box)
        self.preset = QComboBox(box)
        self.preset.setMinimumWidth(220)
        self.description = QLabel("", box)
        self.description.setWordWrap(True)
        self.description.setObjectName("hint")
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Avatar", box))
        row.addWidget(self.family)
        row.addWidget(QLabel("Preset", box))
        row.addWidget(self.preset)
        row.addWidget(self.description, 1)
        return box

    # tune ------------------------------------------------------------------------------------
    def _build_tune(self) -> QWidget:
        page = QWidget(self)
        self.form = ConfigForm(page)
        self.diff = QPlainTextEdit(page)
        self.diff.setReadOnly(True)
        self.diff.setMinimumHeight(44)  # two lines; the form keeps the height
        self.diff.setMaximumHeight(60)
        self.diff.setPlaceholderText("No changes from the preset")
        self.preset_name = QLineEdit(page)
        self.preset_name.setPlaceholderText("new preset name")
        self.save_button = QPushButton("Save as preset", page)
        self.revert_button = QPushButton("Revert", page)
        save_row = QHBoxLayout()
        save_row.addWidget(self.preset_name, 1)
        save_row.addWidget(self.save_button)
        save_row.addWidget(self.revert_button)
        changes = QLabel("Changes from the preset", page)
        changes.setStyleSheet("font-weight: bold;")
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.form, 1)
        layout.addWidget(changes)
        layout.addWidget(self.diff)
        layout.addLayout(save_row)
        return scrolling(page, self)

    # watch -----------------------------------------------------------------------------------
    def _build_watch(self) -> QWidget:
        self.watch = QTabWidget(self)
        self.plot = LossPlot(self.watch)
        self.watch.addTab(self.plot, "Curves")
        self.samples = ImageView("Samples appear here while training")
        self.watch.addTab(self.samples, "Samples")
        attention = QWidget(self.watch)
        self.attention = ImageView("Attention maps appear when attention modules are on", attention)
        self.attention_opacity = QSlider(Qt.Orientation.Horizontal, attention)
        self.attention_opacity.setRange(0, 100)
        self.attention_opacity.setValue(70)
        self.attention_opacity_label = QLabel("Opacity 70 %", attention)
        row = QHBoxLayout()
        row.addWidget(QLabel("Overlay", attention))
        row.addWidget(self.attention_opacity, 1)
        row.addWidget(self.attention_opacity_label)
        lay = QVBoxLayout(attention)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.attention, 1)
        lay.addLayout(row)
        self.watch.addTab(attention, "Attention")
        self.viewport = GaussianViewport(self.watch)
        self.watch.addTab(self.viewport, "Viewport")
        self.watch.addTab(self._build_ablate(), "Ablate")
        self.log = QPlainTextEdit(self.watch)
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(2000)
        self.watch.addTab(self.log, "Log")
        return self.watch

    def _build_ablate(self) -> QWidget:
        page = QWidget()
        self.ablation_suite = QComboBox(page)
        self.ablation_steps = QSpinBox(page)
        self.ablation_steps.setRange(1, 1_000_000)
        self.ablation_steps.setValue(200)
        self.ablation_start = QPushButton("Run suite", page)
        self.ablation_progress = QLabel("", page)
        results = QSplitter(Qt.Orientation.Horizontal, page)  # side by side: the tab stays short
        self.ablation_table = QTableWidget(0, 0, results)
        self.ablation_chart = ImageView("The results chart appears when the suite finishes", results)
        results.addWidget(self.ablation_table)
        results.addWidget(self.ablation_chart)
        results.setMinimumHeight(140)
        form = QFormLayout()
        form.addRow("Suite", self.ablation_suite)
        form.addRow("Steps per configuration", self.ablation_steps)
        lay = QVBoxLayout(page)
        lay.addLayout(form)
        lay.addWidget(self.ablation_start)
        lay.addWidget(self.ablation_progress)
        lay.addWidget(results, 1)
        return scrolling(page, self.watch)

    # run -------------------------------------------------------------------------------------
    def _build_run(self) -> QWidget:
        box = QGroupBox("Run", self)
        self.clip = QComboBox(box)
        self.clip.setToolTip("The prepared clip to train on (All clips: every prepared clip of the project)")
        self.device = QComboBox(box)
        self.device.addItems(["auto", "cpu", "cuda"])
        self.max_steps = QSpinBox(box)
        self.max_steps.setRange(0, 10_000_000)
        self.max_steps.setSpecialValueText("schedule")
        self.max_steps.setToolTip("Cap the number of steps (0 = the configured schedule)")
        self.start_button = QPushButton("Start", box)
        self.pause_button = QPushButton("Pause", box)
        self.resume_button = QPushButton("Resume", box)
        self.stop_button = QPushButton("Stop", box)
        self.stop_button.setToolTip("Stop after the current step; a checkpoint is saved")
        self.resume_run = QComboBox(box)
        self.resume_run.setMinimumWidth(200)
        self.resume_run.setToolTip("Stopped runs of this family that can continue from their checkpoint")
        self.continue_button = QPushButton("Continue run", box)
        self.progress = QProgressBar(box)
        self.progress.setTextVisible(True)
        self.status = QLabel("Idle", box)
        self.status.setMinimumWidth(260)
        self.message = QLabel("", box)
        self.message.setObjectName("error")
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        top = QHBoxLayout()
        top.addWidget(QLabel("Clip", box))
        top.addWidget(self.clip)
        top.addWidget(QLabel("Device", box))
        top.addWidget(self.device)
        top.addWidget(QLabel("Max steps", box))
        top.addWidget(self.max_steps)
        for b in (self.start_button, self.pause_button, self.resume_button, self.stop_button):
            top.addWidget(b)
        top.addStretch(1)
        # continuing a run sits on the second row: in one row the box wanted 1042 px, too wide for a
        # 1366 px laptop screen beside the Live dock
        bottom = QHBoxLayout()
        bottom.addWidget(self.resume_run)
        bottom.addWidget(self.continue_button)
        bottom.addSpacing(16)
        bottom.addWidget(self.progress, 1)
        bottom.addWidget(self.status)
        lay = QVBoxLayout(box)
        lay.setContentsMargins(6, 4, 6, 4)
        lay.setSpacing(4)
        lay.addLayout(top)
        lay.addLayout(bottom)
        lay.addWidget(self.message)
        return box

    def show_message(self, text: str) -> None:
        """An error or a hint under the run bar; its row exists only while there is one."""
        self.message.setText(tr_message(text))
        self.message.setVisible(bool(text))

    def set_running(self, running: bool, paused: bool = False) -> None:
        self.pause_button.setEnabled(running and not paused)
        self.resume_button.setEnabled(running and paused)
        self.stop_button.setEnabled(running)
        self.continue_button.setEnabled(not running and self.resume_run.count() > 0)
        for w in (self.family, self.preset, self.clip, self.device, self.max_steps, self.ablation_start):
            w.setEnabled(not running)


class VerticalScroll(QScrollArea):
    """Scrolls up and down only: as narrow as its page allows plus the scroll bar, never narrower
    (a splitter beside it then cannot squeeze the page into sideways scrolling or cut tabs)."""

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        hint = super().minimumSizeHint()
        page = self.widget()
        if page is None:
            return hint
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        return QSize(page.minimumSizeHint().width() + bar + 2 * self.frameWidth(), hint.height())


def scrolling(page: QWidget, parent: QWidget) -> QScrollArea:
    """`page` in a frameless scroll area: below its minimum height it scrolls instead of squeezing."""
    scroll = VerticalScroll(parent)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setWidget(page)
    return scroll
