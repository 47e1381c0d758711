"""`tr_message`: an engine message (`Text`) shown in the installed language, phrases inside it too;
any other text passes through unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QTranslator

from core.jobs.errors import BadInput
from core.jobs.message import Text
from core.train.holdout import frames_needed
from ui.translation import tr_message

QM = Path(__file__).resolve().parents[2] / "resources" / "i18n" / "dhstudio_zh_CN.qm"


@pytest.fixture
def zh(qapp):
    translator = QTranslator()
    assert translator.load(str(QM))
    qapp.installTranslator(translator)
    yield
    qapp.removeTranslator(translator)


def test_a_message_is_translated_with_its_parameters_and_format_specs(zh):
    t = Text("Video file not found: {path}. Check the path (and that the drive is mounted).", path="/v/a.mp4")
    assert tr_message(t) == "找不到视频文件：/v/a.mp4。请检查路径（以及驱动器是否已挂载）。"
    speed = Text("fps {fps} is out of range; choose a frame rate between 1 and 120 (default 25).", fps=240.0)
    assert tr_message(speed) == "帧率 240.0 超出范围；请选择 1 到 120 之间的帧率（默认 25）。"


def test_nested_phrases_and_an_exception_raised_with_a_text_are_translated_too(zh):
    exc = BadInput(Text("{path} is a folder, not the project file. {fix}", path="/p", fix=Text("model")))
    t = Text("{exc}\nNothing was saved: {path_name} was left unchanged.", exc=exc, path_name="project.toml")
    assert tr_message(t) == "/p 是一个文件夹，不是项目文件。模型\n未保存任何内容：project.toml 保持不变。"
    assert tr_message(frames_needed(0.2)) == "至少 3 帧：2 帧用于训练，1 帧留出（留出比例 20%）"


def test_plain_text_and_unknown_templates_stay_as_they_are(zh):
    assert tr_message("Video file not found") == "Video file not found"  # a plain str is never looked up
    assert tr_message(Text("not in the catalogue {x}", x=Text("model"))) == "not in the catalogue 模型"


def test_without_a_catalogue_the_message_is_the_english(qapp):
    from studio.gui.i18n import set_language

    assert set_language(qapp, "en")  # whatever an earlier test left installed
    t = Text("{path} has no audio stream. Give {accepted}.", path="/a.mp4", accepted=Text("a WAV"))
    assert tr_message(t) == str(t) == "/a.mp4 has no audio stream. Give a WAV."
