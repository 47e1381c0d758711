"""The Chinese catalogue is built from its .ts (every message translates), and export options parse."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from PySide6.QtCore import QTranslator

from core.jobs.errors import BadInput
from studio.gui import i18n
from studio.gui.export_controller import parse_options


def test_the_qm_catalogue_holds_every_message_of_the_ts(qapp):
    ts = ET.parse(i18n.I18N_DIR / "dhstudio_zh_CN.ts").getroot()
    messages = [(m.findtext("source"), m.findtext("translation")) for m in ts.iter("message")]
    assert len(messages) > 50
    translator = QTranslator()
    assert translator.load(str(i18n.qm_path("zh_CN")))
    stale = [s for s, t in messages if translator.translate(i18n.CONTEXT, s) != t]
    assert not stale, f"rebuild the .qm (pyside6-lrelease): {stale[:5]}"


def test_retranslate_switches_and_restores_texts(qapp, qtbot):
    from PySide6.QtWidgets import QLabel, QPushButton, QWidget

    root = QWidget()
    qtbot.addWidget(root)
    button, readout = QPushButton("Start", root), QLabel("Smoothing", root)
    assert i18n.set_language(qapp, "zh_CN")
    i18n.retranslate(root)
    assert (button.text(), readout.text()) == ("开始", "平滑")
    readout.setText("12.0 fps")  # the program changed it since: a new source, left as is
    i18n.set_language(qapp, "en")
    i18n.retranslate(root)
    assert (button.text(), readout.text()) == ("Start", "12.0 fps")
    assert not i18n.set_language(qapp, "xx")  # no catalogue: said, not raised


def test_export_options_parse_numbers_booleans_and_text():
    assert parse_options("precision = int8\nopset=17\n# note\n\nvalidate = true") == {
        "precision": "int8",
        "opset": 17,
        "validate": True,
    }
    with pytest.raises(BadInput, match="line 2"):
        parse_options("a = 1\nnot an option")


def test_the_main_tabs_media_cards_and_web_export_switch_language(qapp, qtbot, tmp_path):
    """In Simplified Chinese the menus changed but the window's tabs (Media, Training, Runs...), the
    training panel's tabs, the media panel's buttons and "Export as web…" stayed English."""
    from PySide6.QtWidgets import QPushButton

    from ui.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    import_button = next(b for b in w.findChildren(QPushButton) if b.text() == "Import Video…")
    tabs = [w.tabs.tabText(i) for i in range(w.tabs.count())]
    watch = [w.training_view.watch.tabText(i) for i in range(w.training_view.watch.count())]
    assert i18n.set_language(qapp, "zh_CN")
    try:
        i18n.retranslate(w)
        assert [w.tabs.tabText(i) for i in range(w.tabs.count())] == [
            "媒体",
            "片段查看",
            "训练",
            "运行记录",
            "渲染与播放",
        ]
        assert w.training_view.watch.tabText(0) == "曲线" and import_button.text() == "导入视频…"
        assert i18n.tr("Export as web…") == "导出为 web…"
    finally:
        i18n.set_language(qapp, "en")
        i18n.retranslate(w)
    assert [w.tabs.tabText(i) for i in range(w.tabs.count())] == tabs
    assert [w.training_view.watch.tabText(i) for i in range(w.training_view.watch.count())] == watch


def test_media_cards_made_after_the_switch_are_in_the_chosen_language(qapp, qtbot, tmp_path, studio):
    """Clip cards are built when a project opens or changes, after the language pass had run: in
    Simplified Chinese their buttons and state badge stayed English."""
    import shutil

    from studio.project import create_project

    w, main = studio
    project = create_project(tmp_path / "P")
    shutil.copyfile(__file__, project.media_dir / "talk.mp4")  # an unreadable video still gets a card
    assert i18n.set_language(qapp, "zh_CN")
    try:
        i18n.retranslate(w)
        main.set_project(project)
        card = w.media_view.cards["talk"]
        assert (card.prepare_button.text(), card.rename_button.text(), card.remove_button.text()) == (
            "预处理…",
            "重命名…",
            "移除…",
        )
        assert card.state.text() == "已导入"
    finally:
        i18n.set_language(qapp, "en")
        i18n.retranslate(w)
    main.media.refresh()
    assert w.media_view.cards["talk"].prepare_button.text() == "Prepare…"


def test_cards_shown_before_a_language_switch_describe_the_clip_in_the_new_language(
    qapp, qtbot, tmp_path, studio
):
    """A card's facts line ("384x384 · 25.00 fps · 8.0 s · with audio") is composed when the card is
    built; the language switch rebuilt other composed texts but left it English."""
    from studio.project import create_project
    from tests.studio.gui.test_media_library import _video_with_silent_track

    w, main = studio
    project = create_project(tmp_path / "P")
    _video_with_silent_track(project.media_dir / "talk.mp4")
    main.set_project(project)
    qtbot.waitUntil(lambda: "with audio" in w.media_view.cards["talk"].details.text(), timeout=10000)
    assert i18n.set_language(qapp, "zh_CN")
    try:
        i18n.retranslate(w)
        main.retranslate()
        details = w.media_view.cards["talk"].details.text()
        assert "with audio" not in details and "fps" in details
    finally:
        i18n.set_language(qapp, "en")
        i18n.retranslate(w)
        main.retranslate()
    assert "with audio" in w.media_view.cards["talk"].details.text()
