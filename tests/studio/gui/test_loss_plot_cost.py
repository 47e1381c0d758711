"""The curves' paint cost is measured and spaces the controller's redraws (issue 16: preview overhead)."""

from __future__ import annotations

from ui.loss_plot import LossPlot


def test_redraw_and_paints_add_their_wall_time(qtbot) -> None:
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.resize(800, 600)
    plot.show()
    qtbot.waitExposed(plot)
    for step in range(200):
        plot.add_point("Losses", "loss/l1", step, 1.0 / (step + 1))
        plot.add_point("Learning rate", "lr/generator", step, 1e-3)
    plot.busy_s = 0.0
    assert plot.redraw()
    after_redraw = plot.busy_s
    assert after_redraw > 0.0
    qtbot.waitUntil(lambda: plot.busy_s > after_redraw, timeout=5000)  # the event loop paints the curves
    assert not plot.redraw()  # nothing new: no work, no cost
