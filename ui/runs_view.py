"""The runs panel: a table of every run, a metric plot to compare selected runs, and run actions."""

from __future__ import annotations

from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.plot_palette import follow_palette

COLUMNS = ("Run", "Kind", "Preset", "State", "Steps", "PSNR", "SSIM", "LMD", "Sharpness", "Gaussians")
CURVE_COLOURS = ("#1565c0", "#e65100", "#2e7d32", "#6a1b9a", "#c62828", "#00838f")


@dataclass(frozen=True)
class RunRow:
    name: str
    kind: str
    preset: str
    state: str
    steps: str
    figures: tuple[str, ...]  # PSNR, SSIM, LMD, Sharpness, Gaussians (formatted, "–" when absent)


class RunsView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.refresh_button = QPushButton("Refresh", self)
        self.open_button = QPushButton("Open Folder", self)
        self.rename_button = QPushButton("Rename…", self)
        self.delete_button = QPushButton("Delete…", self)
        self.metric_combo = QComboBox(self)
        self.metric_combo.setMinimumWidth(240)
        self.plot = pg.PlotWidget(self)
        self.plot.showGrid(x=True, y=True, alpha=0.3)
        self.plot.setLabel("bottom", "step")
        self.legend = self.plot.addLegend(offset=(-10, 10))
        follow_palette(self.plot)  # background, axes and legend in the theme's colours
        self.plot_hint = QLabel("Select one or two runs to compare a metric.", self)
        self.plot_hint.setObjectName("hint")

        buttons = QHBoxLayout()
        for b in (self.refresh_button, self.open_button, self.rename_button, self.delete_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        top = QWidget(self)
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(buttons)
        top_layout.addWidget(self.table, 1)
        bottom = QWidget(self)
        plot_bar = QHBoxLayout()
        plot_bar.addWidget(QLabel("Metric:", self))
        plot_bar.addWidget(self.metric_combo)
        plot_bar.addWidget(self.plot_hint, 1)
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addLayout(plot_bar)
        bottom_layout.addWidget(self.plot, 1)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(top)
        split.addWidget(bottom)
        split.setSizes([260, 320])
        layout = QVBoxLayout(self)
        layout.addWidget(split)
        self.set_selection_actions(0)

    def set_rows(self, rows: list[RunRow]) -> None:
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            cells = (r.name, r.kind, r.preset, r.state, r.steps, *r.figures)
            for j, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if j >= 4:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(i, j, item)

    def selected_names(self) -> list[str]:
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        return [self.table.item(r, 0).text() for r in rows]

    def select_names(self, names: list[str]) -> None:
        self.table.clearSelection()
        mode = self.table.selectionMode()
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        for r in range(self.table.rowCount()):
            if self.table.item(r, 0).text() in names:
                self.table.selectRow(r)
        self.table.setSelectionMode(mode)

    def set_selection_actions(self, count: int) -> None:
        self.open_button.setEnabled(count == 1)
        self.rename_button.setEnabled(count == 1)
        self.delete_button.setEnabled(count >= 1)

    def set_metrics(self, names: list[str], keep: str) -> None:
        self.metric_combo.blockSignals(True)
        self.metric_combo.clear()
        self.metric_combo.addItems(names)
        if keep in names:
            self.metric_combo.setCurrentText(keep)
        self.metric_combo.blockSignals(False)

    def plot_curves(self, metric: str, curves: list[tuple[str, list[int], list[float]]]) -> None:
        self.plot.clear()
        self.plot.setLabel("left", metric)
        for i, (name, steps, values) in enumerate(curves):
            pen = pg.mkPen(CURVE_COLOURS[i % len(CURVE_COLOURS)], width=2)
            symbol = "o" if len(steps) < 30 else None
            self.plot.plot(
                steps,
                values,
                pen=pen,
                name=name,
                symbol=symbol,
                symbolSize=6,
                symbolBrush=CURVE_COLOURS[i % len(CURVE_COLOURS)],
            )
        self._frame_single_step(curves)

    def _frame_single_step(self, curves: list[tuple[str, list[int], list[float]]]) -> None:
        """Runs logged at one step only (a short run, or one just started) are framed from step 0
        and, for a metric that is never negative, from 0 up: auto-range around a single point
        spans +-0.5 in x and y, which drew a loss of 0.13 on an axis from -0.3 to 0.6 at steps
        9.6..10.4. More steps auto-range as before."""
        steps = {s for _, xs, _ in curves for s in xs}
        values = [v for _, _, vs in curves for v in vs]
        if len(steps) != 1 or not values:
            self.plot.enableAutoRange()
            return
        step = next(iter(steps))
        self.plot.setXRange(min(0, step), max(step, 1) * 1.1, padding=0)
        low, high = min(values), max(values)
        if low >= 0:
            self.plot.setYRange(0, (high or 1.0) * 1.6, padding=0)  # the point below the legend
