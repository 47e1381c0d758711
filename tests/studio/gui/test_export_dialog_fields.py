"""The export dialog shows what each format takes: the Frame field only where the format poses the
avatar on a clip frame (PLY), and the options box lists the format's own options (precision, audio
model...). It showed Frame for every format and a bare "name = value" box, so a creator could not find
how to make an int8 bundle or pick the audio model."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QWidget

from core.kinds.registry import export_formats, export_option_hints, export_uses_frame
from studio.gui.export_controller import ExportController, parse_options


@pytest.fixture
def controller(qtbot, tmp_path):
    from PySide6.QtWidgets import QMenu

    parent = QWidget()
    qtbot.addWidget(parent)
    return ExportController(parent, QMenu(parent), project_root=lambda: tmp_path)


def test_frame_only_for_formats_that_pose_the_avatar(controller):
    assert export_uses_frame("ply") and not export_uses_frame("bundle")
    for fmt in export_formats():
        dialog = controller.open_dialog(fmt)
        assert dialog.frame_spin.isVisibleTo(dialog) == export_uses_frame(fmt), fmt
        dialog.reject()


@pytest.mark.parametrize("fmt", ["bundle", "web"])
def test_the_options_box_names_the_formats_options(controller, fmt):
    dialog = controller.open_dialog(fmt)
    hint = dialog.options_edit.placeholderText()
    assert "precision" in hint and "int8" in hint and "audio_run" in hint
    assert hint == "\n".join(export_option_hints(fmt))
    # the hint lines, typed as they read (comments included), are options the export accepts
    typed = parse_options("\n".join(export_option_hints(fmt)))
    assert typed["precision"] in ("fp32", "int8") and "audio_run" in typed
    dialog.reject()
