"""Eval figures are written in one place; the audio model is resolved through the layout and only
finished runs with finite weights are used."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch

from core.jobs.collector import CollectingRunner
from core.jobs.errors import BadInput
from core.jobs.job import Job
from core.kinds.audio_model import resolve_audio_run
from core.kinds.evaluation import EvalFiguresJob
from core.kinds.registry import audio_model_kind, avatar_kind
from core.train.checkpoint import save_checkpoint
from core.train.finite_weights import non_finite_tensors
from core.train.run_folder import RunFolder, RunState


class _Figures(Job):
    def __init__(self, value) -> None:
        self.value = value

    def run(self, ctx):
        return self.value


def test_eval_figures_are_written_once_with_nan_as_null(tmp_path: Path):
    out = tmp_path / "e.json"
    result = CollectingRunner().run(
        EvalFiguresJob(_Figures({"psnr": 30.5, "lpips": math.nan, "r": [1.0, math.inf]}), out)
    )
    assert result.ok and result.value == {"psnr": 30.5, "lpips": None, "r": [1.0, None]}
    assert json.loads(out.read_text()) == result.value
    bad = CollectingRunner().run(EvalFiguresJob(_Figures(3.0), tmp_path / "x.json"))
    assert not bad.ok and "not a figures dict" in bad.error and not (tmp_path / "x.json").exists()


def test_non_finite_tensors_names_model_tensors_but_not_optimizer_state():
    state = {
        "model": {"w": torch.tensor([1.0, math.nan]), "n": torch.tensor([3])},
        "optimizer": {"exp_avg": torch.tensor([math.inf])},
        "list": [torch.ones(2), torch.tensor([math.inf])],
    }
    assert list(non_finite_tensors(state)) == ["model.w", "list[1]"]


def _audio_run(runs: Path, name: str, value: float, state=RunState.FINISHED) -> Path:
    run = RunFolder(runs / name).create(audio_model_kind().name, {})
    save_checkpoint(run.checkpoints / "last.pt", {"model": {"w": torch.full((2,), value)}})
    run.set_status(state)
    return run.path


def test_default_audio_run_from_the_project_layout(tmp_path: Path, caplog):
    project = tmp_path / "P"
    (project / "project.toml").parent.mkdir()
    (project / "project.toml").write_text('schema_version = 1\nname = "P"\n')
    runs = project / "runs"
    avatar = RunFolder(runs / "lip").create("dinet", {}).path
    good = _audio_run(runs, "good", 1.0)
    _audio_run(runs, "running", 1.0, RunState.RUNNING)  # not finished: never picked
    nan = _audio_run(runs, "nan", math.nan)  # newest, but diverged
    assert resolve_audio_run(avatar, None) == good
    assert "skipping audio2mouth run nan" in caplog.text
    with pytest.raises(BadInput, match="not finite"):
        resolve_audio_run(avatar, nan)
    with pytest.raises(BadInput, match="is a 'dinet' run, not an audio2mouth one") as err:
        resolve_audio_run(avatar, avatar)
    assert "leave --audio-model out" in str(err.value)  # the fix, not only the problem
    assert "training_jobs/audio2mouth.toml" in str(err.value)
    # an ablation's runs live elsewhere in the project: the project's runs/ is still found
    ablation_run = RunFolder(project / "ablation" / "runs" / "cfg").create("dinet", {}).path
    assert resolve_audio_run(ablation_run, None) == good
    # a kind not driven by an audio model needs none
    assert resolve_audio_run(good, None, avatar_kind("audio2mouth")) is None
