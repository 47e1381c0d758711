"""The live panel's avatar view: its placeholder text fits the view's minimum size."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics

from ui.live_view import AvatarView


def test_placeholder_fits_the_minimum_width(qtbot):
    view = AvatarView()
    qtbot.addWidget(view)
    view.resize(view.minimumSize())
    assert view.minimumSizeHint().width() <= 240  # was 298: one unwrapped line widened the live dock
    needed = QFontMetrics(view.font()).boundingRect(
        0, 0, view.width(), 10_000, Qt.TextFlag.TextWordWrap, view.text()
    )
    assert needed.width() <= view.width() and needed.height() <= view.height()


def test_a_narrow_panel_stacks_the_avatar_above_the_controls(qtbot):
    from PySide6.QtWidgets import QScrollArea

    from ui.live_view import LiveView

    dock = QScrollArea()  # as in the studio's Live dock
    dock.setWidgetResizable(True)
    view = LiveView()
    dock.setWidget(view)
    qtbot.addWidget(dock)
    dock.show()
    wide = view.side_by_side_width() + 200
    dock.resize(wide + 40, 700)
    qtbot.waitUntil(lambda: not view.stacked() and view.width() >= wide)
    # beside the controls
    qtbot.waitUntil(lambda: view.view.geometry().left() > view.side_scroll.geometry().right())

    narrow = view.side_by_side_width() - 120
    dock.resize(narrow, 700)
    qtbot.waitUntil(view.stacked)
    qtbot.waitUntil(lambda: view.view.geometry().bottom() < view.side_scroll.geometry().top())
    assert view.width() <= narrow  # no sideways scrolling: the avatar is on screen
    assert view.view.geometry().right() <= view.width() and view.view.height() >= 240


def test_the_audio_file_field_shows_a_whole_file_name_at_the_narrowest_column(qtbot):
    """Was: beside its radio button and Browse, the field had ~75 px at the controls column's narrowest
    (a 1366 px laptop screen): 'speech.w…', or only the last letters of the chosen file."""
    from ui.live_view import SIDE_MIN_W, LiveView

    view = LiveView()
    qtbot.addWidget(view)
    view.resize(view.minimumSizeHint().width(), 700)
    view.show()
    qtbot.waitUntil(lambda: view.side_scroll.width() <= SIDE_MIN_W + 2)
    edit = view.file_edit
    metrics = QFontMetrics(edit.font())
    for text in (edit.placeholderText(), "speech_zh_48k_stereo_8s.wav"):
        assert metrics.horizontalAdvance(text) + 16 <= edit.width(), (text, edit.width())
    assert (
        view.browse_button.isVisible() and view.browse_button.width() >= view.browse_button.sizeHint().width()
    )


def test_the_latency_graph_shows_the_budget_from_zero(qtbot):
    """An idle graph showed 0..1 ms over 0..1 s; it now spans 0 past the 100 ms budget (drawn as a
    line), and grows past a p95 above it."""
    from core.realtime.lookahead import BUDGET_MS
    from ui.live_view import LATENCY_BUDGET_MS, LiveView

    assert LATENCY_BUDGET_MS == BUDGET_MS
    view = LiveView()
    qtbot.addWidget(view)
    view.show()
    (x0, x1), (y0, y1) = view.graph.getViewBox().viewRange()
    assert (x0, x1) == (0, 10) and y0 == 0 and y1 > LATENCY_BUDGET_MS
    assert view.budget_line.value() == LATENCY_BUDGET_MS
    view.show_latency([0.5, 1.0], [60.0, 70.0], [80.0, 240.0])
    (x0, x1), (y0, y1) = view.graph.getViewBox().viewRange()
    assert (x0, x1) == (0, 10) and y0 == 0 and y1 >= 240.0
    view.show_latency([1.0, 25.0], [60.0, 60.0], [80.0, 90.0])  # the session past its first 10 s
    (x0, x1), (y0, y1) = view.graph.getViewBox().viewRange()
    assert (x0, x1) == (0, 25) and y1 > LATENCY_BUDGET_MS
