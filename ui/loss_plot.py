"""Training curves (pyqtgraph): one plot per panel, raw and smoothed curve per term, refine marks.

Points are appended cheaply; :meth:`LossPlot.redraw` copies them into the curves and is called
by the controller's timer, so a burst of metrics costs one repaint, not one per point. Painting
is most of the GUI thread's work while a run trains (pyqtgraph's axes and curves, drawn with the
GIL held), so every redraw and paint adds its wall time to :attr:`LossPlot.busy_s`, which the
controller uses to space the redraws out (see studio.gui.training_watch.redraw_interval_ms).
"""

from __future__ import annotations

import html
import math
import time

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from ui.plot_palette import follow_palette
from ui.translation import tr

PANELS = ("Losses", "Quality", "Learning rate", "Gaussians")
UNSMOOTHED = ("Quality", "Learning rate", "Gaussians")  # held-out scores, schedules, counts: not noise
COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf")


class _Series:
    def __init__(self) -> None:
        self.steps: list[float] = []
        self.values: list[float] = []
        self.smooth: list[float] = []
        self.raw_curve: pg.PlotDataItem | None = None
        self.smooth_curve: pg.PlotDataItem | None = None
        self.changed = False  # points not drawn yet


class _TimedPlotWidget(pg.PlotWidget):
    """A plot view that adds the wall time of each of its paints to its LossPlot's ``busy_s``."""

    def __init__(self, owner: LossPlot, parent: QWidget, **kwargs) -> None:
        super().__init__(parent, **kwargs)
        self._owner = owner

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt name)
        t0 = time.perf_counter()
        super().paintEvent(event)
        self._owner.busy_s += time.perf_counter() - t0


class LossPlot(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.busy_s = 0.0  # wall seconds spent in redraw() and painting the plots (the owner resets it)
        pg.setConfigOptions(antialias=False, background="w", foreground="#333")
        # one view per panel, so new points repaint only the panel they belong to
        self.graphics = QGridLayout()
        self.plots: dict[str, pg.PlotItem] = {}
        self.panels: dict[str, QWidget] = {}  # a plot and its legend row
        # a row of names under each plot, wrapping to its width: a legend inside a panel of about
        # 210x150 px (a 1366 px screen beside the Live dock) covered the curves and was cut off
        self.legends: dict[str, QLabel] = {}
        for name in PANELS:
            panel = QWidget(self)
            widget = _TimedPlotWidget(self, panel, title=name)
            widget.setToolTip(f"{name} by training step")
            plot = widget.getPlotItem()
            plot.hideButtons()
            plot.showGrid(x=False, y=True, alpha=0.15)  # a light y grid; x grid lines cost paint time
            follow_palette(widget)  # light or dark with the theme
            legend = QLabel(panel)
            legend.setWordWrap(True)
            legend.setTextFormat(Qt.TextFormat.RichText)
            legend.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
            font = legend.font()
            font.setPointSizeF(max(6.0, font.pointSizeF() - 1.5))
            legend.setFont(font)
            legend.setVisible(False)
            column = QVBoxLayout(panel)
            column.setContentsMargins(0, 0, 0, 2)
            column.setSpacing(0)
            column.addWidget(widget, 1)
            column.addWidget(legend)
            self.plots[name], self.panels[name], self.legends[name] = plot, panel, legend
        self.shown: tuple[str, ...] = PANELS
        self.show_panels(PANELS)
        self.log_scale = QCheckBox("Log scale (losses)", self)
        self.log_scale.toggled.connect(lambda on: self.plots["Losses"].setLogMode(y=on))
        self.smoothing = QSlider(Qt.Orientation.Horizontal, self)
        self.smoothing.setRange(0, 99)
        self.smoothing.setValue(80)
        self.smoothing.setMaximumWidth(160)
        self.smoothing.valueChanged.connect(self._resmooth)
        self.smoothing_label = QLabel("Smoothing 0.80", self)
        row = QHBoxLayout()
        row.addWidget(self.log_scale)
        row.addStretch(1)
        row.addWidget(self.smoothing_label)
        row.addWidget(self.smoothing)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addLayout(self.graphics, 1)
        self.series: dict[tuple[str, str], _Series] = {}
        self.refine_steps: list[int] = []
        self._refine_lines: list[pg.InfiniteLine] = []
        self._dirty: set[str] = set()  # panels with points not drawn yet

    def show_panels(self, names: tuple[str, ...] | list[str]) -> None:
        """Show these plots (in PANELS order, two a row, an odd last one the full width); hide the
        others, e.g. the Gaussian count for a kind that has no Gaussians."""
        self.shown = tuple(p for p in PANELS if p in names)
        for panel in self.panels.values():
            self.graphics.removeWidget(panel)
        for name, panel in self.panels.items():
            panel.setVisible(name in self.shown)
        for i, name in enumerate(self.shown):
            span = 2 if i == len(self.shown) - 1 and i % 2 == 0 else 1
            self.graphics.addWidget(self.panels[name], i // 2, i % 2, 1, span)
        # the rows share the height evenly: by their size hints a lone last plot (the learning rate)
        # got about a quarter of a short panel, its axis labels drawn over each other
        rows = (len(self.shown) + 1) // 2
        for r in range(max(rows, self.graphics.rowCount())):
            self.graphics.setRowStretch(r, 1 if r < rows else 0)

    @property
    def alpha(self) -> float:
        return self.smoothing.value() / 100.0

    def clear(self) -> None:
        for plot in self.plots.values():
            plot.clear()
            plot.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)  # forget the previous run's ranges
            plot.enableAutoRange()
        for legend in self.legends.values():
            legend.clear()
            legend.setVisible(False)
        self.series.clear()
        self.refine_steps.clear()
        self._refine_lines.clear()
        self._dirty.clear()

    def add_point(self, panel: str, name: str, step: int, value: float) -> None:
        if not math.isfinite(value):
            return
        key = (panel, name)
        s = self.series.get(key)
        if s is None:
            s = self.series[key] = _Series()
            plot = self.plots[panel]
            color = COLORS[(sum(1 for p, _ in self.series if p == panel) - 1) % len(COLORS)]
            s.raw_curve = plot.plot(pen=pg.mkPen(color, width=1))
            s.raw_curve.setOpacity(0.35)
            s.smooth_curve = plot.plot(pen=pg.mkPen(color, width=1.5), symbolBrush=color, symbolPen=None)
            s.smooth_curve.setSymbolSize(6)
            self._add_legend_entry(panel, name, color)
            if panel not in self.shown:  # the run reports it: data always has a plot
                self.show_panels((*self.shown, panel))
        prev = s.smooth[-1] if s.smooth else value
        s.steps.append(float(step))
        s.values.append(float(value))
        alpha = 0.0 if panel in UNSMOOTHED else self.alpha
        s.smooth.append(alpha * prev + (1 - alpha) * value)
        s.changed = True
        self._dirty.add(panel)

    def _add_legend_entry(self, panel: str, name: str, color: str) -> None:
        legend = self.legends[panel]
        entry = f'<span style="color:{color}">&#9632;</span>&nbsp;{html.escape(name)}'
        legend.setText(f"{legend.text()} &nbsp; {entry}" if legend.text() else entry)
        legend.setVisible(True)

    def add_refine(self, step: int) -> None:
        """A vertical mark on the Gaussian-count plot where densification ran."""
        self.refine_steps.append(step)
        line = pg.InfiniteLine(pos=step, angle=90, pen=pg.mkPen("#999", width=1, style=Qt.PenStyle.DashLine))
        self.plots["Gaussians"].addItem(line)
        self._refine_lines.append(line)

    def redraw(self, force: bool = False) -> bool:
        """Push buffered points into the curves; False when nothing changed or nobody can see them.

        Repainting a plot costs milliseconds of GUI time (and the GIL the trainer needs), so only
        changed series are set, and a hidden plot (another tab in front) keeps its points buffered
        until it is shown or ``force`` is given.
        """
        if not self._dirty or not (force or self.isVisible()):
            return False
        t0 = time.perf_counter()
        for s in self.series.values():
            if s.changed:
                s.raw_curve.setData(s.steps, s.values)
                s.smooth_curve.setData(s.steps, s.smooth)
                if len(s.steps) <= 2:  # one point draws no line: a dot until the second comes
                    s.smooth_curve.setSymbol("o" if len(s.steps) == 1 else None)
                s.changed = False
        if "Learning rate" in self._dirty:  # from 0: a constant rate is a line, not centred in +-0.5
            top = max(max(s.values) for (p, _), s in self.series.items() if p == "Learning rate")
            self.plots["Learning rate"].setYRange(0.0, 1.2 * top, padding=0)
        self._dirty.clear()
        self.busy_s += time.perf_counter() - t0
        return True

    def _resmooth(self) -> None:
        self.smoothing_label.setText(tr("Smoothing {alpha}").format(alpha=f"{self.alpha:.2f}"))
        for (panel, _), s in self.series.items():
            alpha = 0.0 if panel in UNSMOOTHED else self.alpha
            out: list[float] = []
            for v in s.values:
                out.append(alpha * (out[-1] if out else v) + (1 - alpha) * v)
            s.smooth = out
            s.changed = True
            self._dirty.add(panel)
        self.redraw()
