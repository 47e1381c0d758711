"""The training panel's Choose and Tune, driven as a user clicks (pytest-qt, offscreen)."""

from __future__ import annotations

import tomllib

import pytest
from PySide6.QtCore import Qt

from core.config.loader import load_config
from studio.gui.training_controller import TrainingController
from studio.project import create_project
from ui.training_view import TrainingView


@pytest.fixture
def panel(qtbot, tmp_path):
    view = TrainingView()
    qtbot.addWidget(view)
    view.resize(1300, 850)
    controller = TrainingController(view, create_project(tmp_path / "proj", "proj"))
    return view, controller


def _type(qtbot, field, text: str) -> None:
    field.edit.setFocus()
    field.edit.selectAll()
    qtbot.keyClicks(field.edit, text)


def test_presets_listed_per_family_with_descriptions(panel) -> None:
    view, c = panel
    c.select("dinet", "dinet_mini")
    names = [view.preset.itemText(i) for i in range(view.preset.count())]
    assert {"dinet_baseline", "dinet_mini", "dinet_multiscale", "dinet_attention"} <= set(names)
    assert not any(n.startswith("gaussian") or n.startswith("ablation") for n in names)
    assert view.description.text().startswith("DINet mini")
    assert c.config.model.variant == "mini" and view.start_button.isEnabled()
    c.select("gaussian", "gaussian_ultra_efficient")
    assert c.config.kind == "gaussian" and "densify.clone_percentile" in view.form.fields


def test_sliders_change_the_config_and_echo_it(panel) -> None:
    view, c = panel
    c.select("gaussian", "gaussian_full_innovations")
    eyes = view.form.fields["innovations.region_weights.eyes"]
    eyes.slider.setValue(eyes.slider.maximum())  # what a drag to the right end does
    assert c.config.innovations.region_weights.eyes == pytest.approx(5.0)
    assert eyes.edit.text() == "5"
    clone = view.form.fields["densify.clone_percentile"]
    clone.slider.setValue(int(clone.slider.maximum() * 0.5))
    assert c.config.densify.clone_percentile == pytest.approx(74.5)
    assert "densify.clone_percentile" in view.diff.toPlainText()
    eyes_line = next(line for line in view.diff.toPlainText().splitlines() if "region_weights.eyes" in line)
    assert eyes_line.endswith("→ 5.0")
    ratio = view.form.fields["innovations.semantic_densify.ratio"]
    ratio.slider.setValue(ratio.slider.maximum())
    assert c.config.innovations.semantic_densify.ratio == pytest.approx(4.0)


def test_typed_value_validated_and_slider_follows(qtbot, panel) -> None:
    view, c = panel
    c.select("gaussian", "gaussian_balanced")
    split = view.form.fields["densify.split_percentile"]
    _type(qtbot, split, "95")
    assert c.config.densify.split_percentile == 95.0
    assert split.slider.value() == split._to_ticks(95.0)


def test_invalid_value_disables_start_with_the_message(qtbot, panel) -> None:
    view, c = panel
    c.select("gaussian", "gaussian_balanced")
    clone = view.form.fields["densify.clone_percentile"]
    _type(qtbot, clone, "120")
    assert c.config is None
    assert not view.start_button.isEnabled()
    assert clone.error.isVisibleTo(view) and "less than 100" in clone.error.text()
    assert "< 100.0" in clone.error.text()  # the allowed range
    assert "densify.clone_percentile" in view.message.text()
    assert 'densify.clone_percentile: 75.0 → "120"' in view.diff.toPlainText()
    _type(qtbot, clone, "80")
    assert c.config.densify.clone_percentile == 80.0
    assert view.start_button.isEnabled() and not clone.error.isVisibleTo(view)
    # a rule between two fields is shown too
    _type(qtbot, clone, "95")
    assert c.config is None and "split_percentile" in view.message.text()


def test_stage_rows_added_removed_reordered_and_multiscale(qtbot, panel) -> None:
    view, c = panel
    c.select("dinet", "dinet_mini")
    table = view.form.fields["train.stages"].table
    qtbot.mouseClick(table.add_button, Qt.MouseButton.LeftButton)
    assert len(c.config.train.stages) == 1 and c.config.schedule()[0].mouth_size == 64
    qtbot.mouseClick(table.multiscale_button, Qt.MouseButton.LeftButton)
    assert [s.mouth_size for s in c.config.train.stages] == [64, 96, 128, 160]
    table.table.selectRow(3)
    qtbot.mouseClick(table.up_button, Qt.MouseButton.LeftButton)
    assert [s.mouth_size for s in c.config.train.stages] == [64, 96, 160, 128]
    table.table.selectRow(2)
    qtbot.mouseClick(table.remove_button, Qt.MouseButton.LeftButton)
    assert [s.mouth_size for s in c.config.train.stages] == [64, 96, 128]
    table.table.item(1, 0).setText("100")  # not a mouth size
    assert c.config is None and not view.start_button.isEnabled()
    assert "mouth_size 100" in view.form.general_error.text() + view.message.text()


def test_save_as_preset_and_reload(qtbot, panel, tmp_path) -> None:
    view, c = panel
    c.select("gaussian", "gaussian_baseline")
    view.form.fields["innovations.region_weights.enabled"].check.setChecked(True)
    mouth = view.form.fields["innovations.region_weights.mouth"]
    mouth.slider.setValue(mouth.slider.maximum())
    qtbot.keyClicks(view.preset_name, "my mouth focus")
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    path = tmp_path / "proj" / "presets" / "my_mouth_focus.toml"
    assert path.is_file(), list((tmp_path / "proj").rglob("*.toml"))
    saved = load_config(type(c.config), path)
    assert saved.innovations.region_weights.enabled and saved.innovations.region_weights.mouth == 5.0
    assert tomllib.loads(path.read_text())["kind"] == "gaussian"
    assert view.preset.currentText() == "my_mouth_focus"
    assert "gaussian_baseline" in view.description.text()
    # back to another preset, then reload the saved one from the list
    c.select("gaussian", "gaussian_baseline")
    assert not c.config.innovations.region_weights.enabled
    c.select("gaussian", "my_mouth_focus")
    assert c.config == saved and view.form.fields["innovations.region_weights.enabled"].check.isChecked()
