"""The start page in Simplified Chinese: its blurb, buttons, the recent projects and their 'last opened'
were English (missing from the catalogue, and the list composed without `tr`)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox

from studio.project import create_project
from tests.studio.gui.test_i18n_coverage import _english, _visible_texts

PRODUCT = "<h1>Digital Human Studio</h1>"  # the product's name stays as it is


def test_the_start_page_with_a_recent_project_is_chinese_after_the_switch(qtbot, full_studio, tmp_path):
    w, main, panels = full_studio
    assert main.open_path(create_project(tmp_path / "Avatar").root)
    w.action_close_project.trigger()  # back on the start page, the project in Recent projects
    d = panels.open_settings()
    d.language_combo.setCurrentIndex(d.language_combo.findData("zh_CN"))
    d.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    start = w.start_view
    assert start.isVisible()
    english = [t for _, t in _visible_texts(start) if _english(t) and t != PRODUCT]
    assert not english, english
    item = start.recent_list.item(0).text()
    assert "上次打开" in item and "last opened" not in item, item
