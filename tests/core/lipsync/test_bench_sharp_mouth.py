"""The sharp-mouth benchmark: its recipes are valid configs and a run stops on its CPU budget."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.core.gaussians.bench_script import load_benchmark
from tests.core.lipsync.prepared_fixture import build_prepared_clip, tiny_project_root


def test_recipes_are_valid_configs() -> None:
    bench = load_benchmark("bench_sharp_mouth")
    for name in bench.RECIPES:
        cfg = bench.recipe_config(name, steps=500)
        assert cfg.model.variant == "mini" and cfg.loss.lamb_perception == 0.0
        assert cfg.model.mouth_size == (128 if "128" in name else 64)
        assert (cfg.loss.lamb_high_frequency > 0) == name.endswith("_hf")
        assert (cfg.train.lr_schedule == "cosine") == (cfg.train.ema_decay > 0) == name.endswith("_cos")
    with pytest.raises(SystemExit, match="--steps"):
        bench.recipe_config("mini64_cos")  # an anneal needs its planned length


def test_train_stops_on_cpu_budget(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> None:
    bench = load_benchmark("bench_sharp_mouth")
    clip = build_prepared_clip(tiny_project_root(tmp_path_factory))
    bench.main(
        ["train", "mini64_hf", "--clip", str(clip), "--out", str(tmp_path / "run"), "--cpu-seconds", "4"]
    )
    info = json.loads((tmp_path / "run" / "budget.json").read_text())
    assert info["stopped_by"] == "cpu_budget" and info["steps"] > 0
    assert 4.0 <= info["cpu_seconds"] < 60.0
    assert (tmp_path / "run" / "checkpoints" / "last.pt").is_file()


def test_annealed_run_also_yields_its_raw_weights(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    import torch

    bench = load_benchmark("bench_sharp_mouth")
    clip = build_prepared_clip(tiny_project_root(tmp_path_factory))
    run = tmp_path / "run"
    bench.main(
        ["train", "mini64_cos", "--clip", str(clip), "--out", str(run), "--cpu-seconds", "3", "--steps", "50"]
    )
    assert json.loads((run / "budget.json").read_text())["planned_steps"] == 50
    view = bench.raw_weights_view(run)
    assert view is not None and json.loads((view / "budget.json").read_text())["recipe"] == "mini64_cos_raw"
    saved = torch.load(run / "checkpoints" / "last.pt", weights_only=True)
    raw = torch.load(view / "checkpoints" / "last.pt", weights_only=True)
    assert "generator_ema" in saved and "generator_ema" not in raw
    assert all(torch.equal(raw["generator"][k], v) for k, v in saved["generator"].items())
    assert bench.raw_weights_view(view) is None
