"""Learning-rate schedules within a stage, and the `train.lr_schedule` config field."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from core.config.errors import ConfigError
from core.config.loader import load_config
from core.lipsync.train_config import DinetTrainConfig
from core.train.lr_schedule import LR_SCHEDULES, lr_factor


def test_cosine_falls_from_one_to_final_over_the_stage() -> None:
    got = [lr_factor("cosine", s, 11, final=0.2) for s in range(11)]
    assert got[0] == pytest.approx(1.0) and got[-1] == pytest.approx(0.2)
    assert got[5] == pytest.approx(0.6)  # half way: the mean of 1 and final
    assert all(a > b for a, b in itertools.pairwise(got))
    assert lr_factor("cosine", 50, 11, final=0.2) == pytest.approx(0.2)  # past the end: stays at final


def test_constant_is_one_and_unknown_names_the_allowed() -> None:
    assert {lr_factor("constant", s, 7) for s in range(7)} == {1.0}
    with pytest.raises(ValueError, match="allowed: \\['constant', 'cosine'\\]"):
        lr_factor("step", 0, 10)
    assert set(LR_SCHEDULES) == {"constant", "cosine"}


def test_config_error_names_file_field_and_allowed_values(tmp_path: Path) -> None:
    path = tmp_path / "job.toml"
    path.write_text('kind = "dinet"\n[train]\nsteps = 10\nlr_schedule = "linear"\n')
    with pytest.raises(ConfigError) as err:
        load_config(DinetTrainConfig, path)
    text = str(err.value)
    assert str(path) in text and "train.lr_schedule" in text and "'cosine'" in text
    path.write_text('kind = "dinet"\n[train]\nsteps = 10\nlr_schedule = "cosine"\nlr_final = 0.0\n')
    with pytest.raises(ConfigError, match=r"train\.lr_final"):
        load_config(DinetTrainConfig, path)
