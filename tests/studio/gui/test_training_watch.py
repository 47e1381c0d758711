"""The training panel's Qt-free helpers: plot routing, rate/ETA, preview composites, --set overrides."""

from __future__ import annotations

import numpy as np
import pytest

from core.config.loader import apply_overrides, read_toml
from core.lipsync.train_config import DinetTrainConfig
from studio.gui import config_fields as cf
from studio.gui.training_presets import PRESETS_DIR
from studio.gui.training_watch import (
    CURVE_BUDGET,
    RateMeter,
    attention_over_output,
    metric_panel,
    redraw_interval_ms,
    with_difference,
)


def test_metrics_routed_to_their_plots() -> None:
    assert metric_panel("loss/pixel") == "Losses" and metric_panel("train/photometric") == "Losses"
    assert metric_panel("train/psnr") == "Quality" and metric_panel("held_out/l1") == "Quality"
    assert metric_panel("lr/generator") == "Learning rate"
    assert metric_panel("train/gaussians") == "Gaussians"
    assert metric_panel("train/iter_per_s") is None and metric_panel("perf/steps_per_s") is None


def test_redraw_interval_keeps_curves_within_budget() -> None:
    assert redraw_interval_ms(0.0) == 3000  # a cheap paint: every 3 s
    assert redraw_interval_ms(0.1) == round(1000 * 0.1 / CURVE_BUDGET)  # 100 ms of paint: 1 % of 10 s
    assert redraw_interval_ms(5.0) == 15000  # a swamped machine: still a fresh curve every 15 s
    assert redraw_interval_ms(0.05, budget=0.005, min_ms=100) == 10000


def test_rate_and_eta() -> None:
    meter = RateMeter(window_s=10.0)
    for i in range(11):
        meter.add(i * 2, now=100.0 + i)  # 2 steps per second
    assert meter.rate() == pytest.approx(2.0)
    assert meter.eta(20, 380) == "0:03:00"
    meter.add(0, now=200.0)  # a new run starts over
    assert meter.rate() == 0.0 and meter.eta(0, 10) == "--"


def test_sample_grid_gets_a_difference_column() -> None:
    grid = np.zeros((8, 32, 3), np.uint8)
    grid[:, 16:24] = 100  # output
    grid[:, 24:32] = 90  # target
    out = with_difference(grid, gain=3.0)
    assert out.shape == (8, 40, 3) and np.all(out[:, 32:] == 30)
    assert with_difference(np.zeros((8, 30, 3), np.uint8)).shape == (8, 30, 3)  # not a 4-cell grid


def test_attention_opacity_mixes_output_and_heat_maps() -> None:
    grid = np.zeros((8, 32, 3), np.uint8)
    grid[:8, 16:24] = 200  # first row's output cell
    heat = np.full((8, 16, 3), 100, np.uint8)  # two modules
    assert np.all(attention_over_output(grid, heat, 0.0) == 200)
    assert np.all(attention_over_output(grid, heat, 1.0) == 100)
    assert np.all(attention_over_output(grid, heat, 0.5) == 150)
    assert attention_over_output(None, heat, 0.3) is heat


def test_edits_as_set_overrides_rebuild_the_same_config() -> None:
    """What the panel passes to prepare_run: the preset plus `--set` lines equals the edited config."""
    raw = read_toml(PRESETS_DIR / "dinet_mini.toml")
    base = DinetTrainConfig.model_validate(raw)
    stages = [{"mouth_size": 64, "steps": 5}, {"mouth_size": 96, "epochs": 1.5}]
    edited = cf.set_path(raw, "train.stages", stages)
    edited = cf.set_path(edited, "augmentation.brightness", ["0.9", "1.1"])
    edited = cf.set_path(edited, "model.attention.mouth", True)
    config = DinetTrainConfig.model_validate(edited)
    diffs = cf.differences(base.model_dump(mode="json"), config.model_dump(mode="json"))
    assert {p for p, _, _ in diffs} == {"train.stages", "augmentation.brightness", "model.attention.mouth"}
    rebuilt = DinetTrainConfig.model_validate(apply_overrides(raw, cf.overrides(diffs)))
    assert rebuilt == config
