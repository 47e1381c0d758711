"""The doctor's table sizes each row to its wrapped detail at the dialog's real width."""

from __future__ import annotations

from ui.doctor_dialog import DoctorDialog

LONG = "fused C++ rasterizer, " + " ".join(["this machine's build loaded from the cache"] * 8)


def test_rows_fit_their_wrapped_details_at_the_shown_width(qtbot):
    dialog = DoctorDialog()
    qtbot.addWidget(dialog)
    dialog.set_rows([("PyTorch", True, "2.13.0+cpu"), ("CPU Gaussian rasterizer", True, LONG)])
    dialog.show()
    qtbot.waitExposed(dialog)
    short, long_ = dialog.table.rowHeight(0), dialog.table.rowHeight(1)
    assert long_ >= 2 * short - 4  # wrapped onto a second line, not cut
    assert long_ <= 4 * short  # and sized at the real width, not the narrow one set_rows saw
    dialog.resize(1600, dialog.height())  # wide enough for one line
    qtbot.waitUntil(lambda: dialog.table.rowHeight(1) < long_, timeout=2000)
