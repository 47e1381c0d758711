"""Finished Gaussian runs trained apart on the tiny synthetic avatar, as `dhstudio train` leaves them."""

from __future__ import annotations

from pathlib import Path

from core.gaussians.train.config import GaussianConfig
from core.gaussians.train.trainer import GaussianTrainJob
from core.jobs.collector import CollectingRunner
from core.train.lifecycle import run_lifecycle
from core.train.run_folder import RunFolder
from core.train.spec import TrainRequest
from tests.core.gaussians.train.conftest import make_avatar_data

BASE = {
    "data": {"resolution": 32},
    "densify": {"start": 0.0, "stop": 1.0, "every": 2, "grad_threshold": 1e-6, "max_gaussians": 120},
    "train": {"steps": 4, "sh_degree": 0, "renderer": "torch", "preview_every": 100, "seed": 3},
}


def config(**changes: dict) -> GaussianConfig:
    data = {k: dict(v) for k, v in BASE.items()}
    for section, values in changes.items():
        data.setdefault(section, {}).update(values)
    return GaussianConfig.model_validate(data)


def train_run(path: Path, cfg: GaussianConfig, finish: bool = True) -> Path:
    """A run folder trained for real (held-out figures in eval.json) and marked finished."""
    run = RunFolder(path).create("gaussian", cfg.model_dump(mode="json"), source="test", job=path.name)
    data = make_avatar_data()
    request = TrainRequest(clips=(path,), run=run, device="cpu")
    with run_lifecycle(run, resume=False, created=True) as life:
        result = CollectingRunner().run(GaussianTrainJob(cfg, request, data_loader=lambda clip, c: data))
        life.settle(result)
    assert result.ok, result.error
    if not finish:
        (path / "eval.json").unlink()
    return path
