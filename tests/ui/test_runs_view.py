"""The runs panel's metric plot frames what a user compares: a run logged at one step too."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from ui.runs_view import RunsView


def shown(view: RunsView) -> tuple[list[float], list[float]]:
    QApplication.processEvents()
    return view.plot.getViewBox().viewRange()


def test_a_run_logged_at_one_step_is_framed_from_zero(qtbot) -> None:
    """Was: a loss of 0.13 at step 10 drawn on an axis from -0.3 to 0.6 and steps 9.6..10.4."""
    view = RunsView()
    qtbot.addWidget(view)
    view.resize(700, 500)
    view.show()
    view.plot_curves("train/loss", [("demo", [10], [0.13])])
    (x0, x1), (y0, y1) = shown(view)
    assert x0 == 0 and 10 < x1 <= 11.5
    assert y0 == 0 and 0.13 * 1.3 < y1 <= 0.13 * 2  # the legend sits in the top corner


def test_curves_over_many_steps_keep_their_own_range(qtbot) -> None:
    """A falling loss is not squashed against zero: the axis follows the values, and a negative
    metric keeps its sign."""
    view = RunsView()
    qtbot.addWidget(view)
    view.resize(700, 500)
    view.show()
    view.plot_curves("train/loss", [("demo", [10], [0.13])])  # a single point first, then real curves
    view.plot_curves("train/loss", [("a", list(range(0, 100, 10)), [0.5 - 0.005 * i for i in range(10)])])
    (x0, x1), (y0, y1) = shown(view)
    assert x0 < 5 and x1 > 85
    assert 0.4 < y0 < 0.46 and 0.5 <= y1 < 0.56
    view.plot_curves("held_out/delta", [("b", [5], [-2.0])])
    (_, _), (y0, y1) = shown(view)
    assert y0 < -2.0 < y1
