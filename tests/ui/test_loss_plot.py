"""The curves' legends fit small panels (about 210x150 px beside the Live dock on a 1366 px screen)."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from ui.loss_plot import LossPlot

LOSSES = ("loss/pixel", "loss/mouth", "loss/gan", "loss/total")


def test_legends_sit_under_the_plots_whole_and_never_over_the_curves(qtbot):
    """Was: a legend inside the Losses plot, taller than its view, covering the lines, 'loss/total'
    cut off at the bottom."""
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.resize(430, 330)
    plot.show()
    for step in range(10, 21):
        for i, name in enumerate(LOSSES):
            plot.add_point("Losses", name, step, 2.0 - i * 0.4 + 0.01 * step)
        plot.add_point("Quality", "held_out/psnr_mouth", step, 20.0 + step)
    plot.redraw(force=True)
    QApplication.processEvents()
    for panel, names in (("Losses", LOSSES), ("Quality", ("held_out/psnr_mouth",))):
        legend = plot.legends[panel]
        view = plot.plots[panel].getViewBox()
        widget = view.scene().views()[0]
        assert plot.plots[panel].legend is None  # nothing drawn over the curves
        assert legend.isVisible() and all(name in legend.text() for name in names)
        assert legend.heightForWidth(legend.width()) <= legend.height()  # every line of names shown
        assert legend.width() <= plot.panels[panel].width()
        assert not legend.geometry().intersects(widget.geometry())
        assert view.sceneBoundingRect().height() >= 30  # the lines keep room to be read
    assert not plot.legends["Gaussians"].isVisible()  # nothing to name yet


def test_clear_empties_the_legends(qtbot):
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.add_point("Losses", "loss/total", 1, 1.0)
    plot.clear()
    assert plot.legends["Losses"].text() == "" and not plot.legends["Losses"].isVisible()


def test_a_single_point_is_drawn_as_a_dot(qtbot):
    """A short run (a tiny step budget) logs one point per curve: a line through one point draws
    nothing, and the Curves tab looked empty after a finished run."""
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.add_point("Losses", "loss/total", 6, 0.5)
    plot.redraw(force=True)
    curve = plot.series[("Losses", "loss/total")].smooth_curve
    assert curve.opts["symbol"] == "o" and curve.scatter.data.size == 1
    plot.add_point("Losses", "loss/total", 12, 0.4)
    plot.redraw(force=True)
    assert curve.opts["symbol"] is None  # a line from two points on
