from pathlib import Path
from typing import Literal

import pytest
from pydantic import Field, ValidationError

from core.config.errors import ConfigError
from core.config.loader import PRESETS_DIR, job_file, load_config, parse_override, to_toml
from core.config.model import ConfigModel


class Train(ConfigModel):
    lr: float = Field(1e-4, gt=0, le=1)
    mouth_size: Literal[64, 96, 128, 160, 256] = 128
    steps: int = Field(100, ge=1)


class Job(ConfigModel):
    kind: Literal["demo"] = "demo"
    seed: int = 0
    train: Train = Train()


def write(tmp_path, text):
    p = tmp_path / "job.toml"
    p.write_text(text)
    return p


def test_loads_and_overrides(tmp_path):
    p = write(tmp_path, 'kind = "demo"\n[train]\nlr = 0.001\n')
    cfg = load_config(Job, p, ["train.steps=7", "seed=3"])
    assert cfg.train.lr == 0.001 and cfg.train.steps == 7 and cfg.seed == 3


def test_error_names_file_field_value_and_allowed(tmp_path):
    p = write(tmp_path, "[train]\nmouth_size = 100\n")
    with pytest.raises(ConfigError) as err:
        load_config(Job, p)
    msg = str(err.value)
    assert str(p) in msg and "train.mouth_size" in msg and "100" in msg
    assert "64" in msg and "256" in msg


def test_range_error_and_unknown_key(tmp_path):
    p = write(tmp_path, "[train]\nlr = -1\nbogus = 2\n")
    with pytest.raises(ConfigError) as err:
        load_config(Job, p)
    msg = str(err.value)
    assert "train.lr" in msg and "-1" in msg and "greater than 0" in msg
    assert "train.bogus" in msg


def test_error_from_an_override_names_the_override(tmp_path):
    p = write(tmp_path, "[train]\nsteps = 5\n")
    with pytest.raises(ConfigError) as err:
        load_config(Job, p, ["train.stepz=3", "train.lr=-1"])
    msg = str(err.value)
    assert "field 'train.stepz' (from --set train.stepz=3)" in msg
    assert "field 'train.lr' (from --set train.lr=-1)" in msg
    with pytest.raises(ConfigError) as err:  # a value from the file is not blamed on an override
        load_config(Job, write(tmp_path, "[train]\nsteps = 0\n"), ["seed=1"])
    assert "--set" not in str(err.value)


def test_bad_toml_and_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(Job, write(tmp_path, "x = = 1"))
    with pytest.raises(ConfigError, match="not found"):
        load_config(Job, tmp_path / "nope.toml")


def test_override_parsing():
    assert parse_override("a.b=1e-4") == (["a", "b"], 1e-4)
    assert parse_override("name=hello") == (["name"], "hello")
    assert parse_override("x=[1, 2]") == (["x"], [1, 2])
    with pytest.raises(ConfigError):
        parse_override("novalue")


def test_resolved_config_round_trips_through_toml(tmp_path):
    cfg = Job(seed=5, train=Train(lr=0.002))
    p = write(tmp_path, to_toml(cfg.model_dump(mode="json")))
    assert load_config(Job, p) == cfg


def test_configs_are_frozen_and_derive_validates():
    cfg = Job()
    with pytest.raises(ValidationError, match="frozen"):
        cfg.seed = 4  # type: ignore[misc]
    assert cfg.derive(seed=4).seed == 4
    with pytest.raises(ValidationError, match="greater than or equal to 1"):
        cfg.train.derive(steps=0)


def test_unknown_key_lists_the_keys_its_section_allows(tmp_path):
    """A misspelt key or section says what is allowed there and the nearest name, not only 'not permitted'."""
    with pytest.raises(ConfigError) as err:
        load_config(Job, write(tmp_path, "[train]\nstepz = 2\n"))
    msg = str(err.value)
    assert "train.stepz" in msg and "did you mean 'steps'" in msg
    assert "allowed in [train]: lr, mouth_size, steps" in msg
    with pytest.raises(ConfigError) as err:
        load_config(Job, write(tmp_path, "[trian]\nsteps = 2\n"))
    msg = str(err.value)
    assert "did you mean 'train'" in msg and "allowed at the top level: kind, seed, train" in msg
    with pytest.raises(ConfigError) as err:  # an override's key gets the same help
        load_config(Job, write(tmp_path, "seed = 1\n"), ["train.mouth=64"])
    assert "allowed in [train]: lr, mouth_size, steps" in str(err.value)


def test_missing_job_file_says_where_the_presets_are(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_config(Job, tmp_path / "nope.toml")
    msg = str(err.value)
    assert str(tmp_path / "nope.toml") in msg and "training_jobs" in msg and "dinet_mini.toml" in msg
    with pytest.raises(ConfigError) as err:  # a preset's bare name, from another folder
        load_config(Job, tmp_path / "dinet_mini.toml")
    assert f"Did you mean {PRESETS_DIR / 'dinet_mini.toml'}?" in str(err.value)


def test_job_file_takes_a_preset_name_or_a_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert job_file("dinet_mini") == job_file("dinet_mini.toml") == PRESETS_DIR / "dinet_mini.toml"
    assert job_file("sub/dinet_mini.toml") == Path("sub/dinet_mini.toml")  # a path stays a path
    assert job_file("nope") == Path("nope")  # read_toml then says where the presets are
    (tmp_path / "dinet_mini.toml").write_text("seed = 1\n")
    assert job_file("dinet_mini.toml") == Path("dinet_mini.toml")  # a file here wins


def test_train_command_accepts_a_preset_name():
    from studio.cli.main import build_parser

    args = build_parser().parse_args(["train", "audio2mouth", "--project", "P"])
    assert args.job == PRESETS_DIR / "audio2mouth.toml"
