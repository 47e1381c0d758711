"""The Export menu as a user meets it: in Simplified Chinese the dialog, the Jobs panel and the report
speak Chinese (they stayed English: the dialog was built after the language switch and never
translated), and the Jobs panel's Cancel stops a running export (it was enabled but did nothing:
it cancelled only the panel's own job)."""

from __future__ import annotations

import re

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from core.jobs.job import Status
from tests.studio.gui.test_i18n_coverage import _english, _visible_texts


@pytest.fixture
def window(full_studio, gp):
    assert full_studio.main.open_path(gp.root)
    return full_studio


def _english_texts(widget) -> list[str]:
    return [text for _, text in _visible_texts(widget) if _english(text)]


def test_in_chinese_the_export_dialog_jobs_panel_and_report_are_chinese(qtbot, window, gp, tmp_path):
    w, _, panels = window
    panels.apply_preferences(panels.prefs.__class__(language="zh_CN"))
    panels.export.selected_run = gp.dinet_run
    panels.export.actions["onnx"].trigger()  # Export > Export as onnx…
    dialog = panels.export.dialog
    qtbot.waitUntil(dialog.isVisible)
    assert not _english(dialog.windowTitle()), dialog.windowTitle()
    assert not _english_texts(dialog), _english_texts(dialog)
    assert "可导出以下类型的运行" in dialog.note.text()
    dialog.out_edit.setText(str(tmp_path / "out"))
    with qtbot.waitSignal(panels.export.exported, timeout=300_000) as done:
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    result, report = done.args
    assert result.ok, result.error
    assert w.job_panel.title.text() == "导出完成"
    assert report.open_button.text() == "打开文件夹" and not _english(report.close_button.text())


def test_the_jobs_panel_cancel_stops_a_running_export_and_nothing_is_written(qtbot, window, gp, tmp_path):
    w, _, panels = window
    panels.export.selected_run = gp.dinet_run
    panels.export.actions["onnx"].trigger()
    dialog = panels.export.dialog
    out = tmp_path / "out"
    dialog.out_edit.setText(str(out))
    with qtbot.waitSignal(panels.export.exported, timeout=120_000) as done:
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        assert w.job_panel.cancel_button.isEnabled()
        w.job_panel.cancel_button.click()  # as soon as it shows as running
    result, report = done.args
    assert result.status is Status.CANCELLED
    assert not out.exists() and "nothing was written" in report.text.toPlainText()
    assert w.job_panel.title.text() == "Cancelled" and not w.job_panel.cancel_button.isEnabled()


def test_in_chinese_the_runs_table_states_and_settings_are_chinese(qtbot, window):
    w, _, panels = window
    panels.apply_preferences(panels.prefs.__class__(language="zh_CN"))
    w.tabs.setCurrentWidget(w.runs_view)
    table = w.runs_view.table
    states = {table.item(r, 3).text() for r in range(table.rowCount())}
    assert states and all(re.search(r"[\u4e00-\u9fff]", s) for s in states), states  # 已完成, not 'finished'
    table.selectRow(0)  # the run is plotted: the hint under the metric says so in Chinese
    assert re.search(r"[\u4e00-\u9fff]", w.runs_view.plot_hint.text()), w.runs_view.plot_hint.text()
    settings = panels.open_settings()
    assert not _english_texts(settings), _english_texts(settings)
    settings.reject()
