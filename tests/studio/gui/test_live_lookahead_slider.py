"""The live panel's lookahead slider shows the measured trade-off of the value it is on."""

from __future__ import annotations

import pytest

from core.realtime.controls import ControlValues
from core.realtime.lookahead import LookaheadCurve, load_curve
from studio.gui.live_controller import LiveController
from ui.live_view import LiveView


@pytest.fixture
def panel(qtbot):
    view = LiveView()
    qtbot.addWidget(view)
    controller = LiveController(view)
    yield view, controller
    controller.shutdown()


def test_slider_starts_at_the_default_and_describes_it_from_the_shipped_curve(panel):
    view, controller = panel
    curve = load_curve()
    chosen = curve.choose()
    slider = view.sliders["lookahead"]
    assert slider.value() == ControlValues().lookahead == chosen.smoothing_lookahead
    assert controller.model_lookahead == chosen.model_lookahead
    text = curve.describe(chosen.model_lookahead, chosen.smoothing_lookahead)
    assert view.lookahead_note.text() == text == slider.toolTip()
    assert "ms beside a busy process" in text and "default" in text


def test_moving_the_slider_shows_that_values_latency_and_accuracy(panel):
    view, controller = panel
    curve = load_curve()
    slider = view.sliders["lookahead"]
    for value in (2, 1, 4):
        slider.setValue(value)  # as dragging does
        expected = curve.describe(controller.model_lookahead, value)
        assert view.lookahead_note.text() == expected == slider.toolTip()
        assert view.slider_values["lookahead"].text() == str(value)
    assert "not measured" in view.lookahead_note.text()  # 4 frames of smoothing: off the curve


def test_values_echoed_from_the_engine_update_the_note_too(panel):
    view, controller = panel
    controller.model_lookahead = 2  # a model trained with the old default lookahead
    controller.curve = LookaheadCurve.model_validate(
        {
            "points": [
                {
                    "model_lookahead": 2,
                    "smoothing_lookahead": 1,
                    "built_in_ms": 150.0,
                    "p50_ms": 160.0,
                    "p95_ms": 171.0,
                    "p50_contended_ms": 170.0,
                    "p95_contended_ms": 199.0,
                    "cpu_ms_per_frame": 6.0,
                    "mouth_r": 0.5,
                    "lmd_px": 2.0,
                    "r_fraction": 1.0,
                    "lmd_fraction": 1.0,
                }
            ],
            "reference": [2, 1],
        }
    )
    controller._echo({"lookahead": 1.0})  # what a status event's values in force do
    assert view.sliders["lookahead"].value() == 1
    assert "171 ms alone, 199 ms beside a busy process" in view.lookahead_note.text()
