"""How `dhstudio train` finds the Gaussian avatar trainer (studio/training.py KINDS["gaussian"])."""

from __future__ import annotations

from core.gaussians.train.config import GaussianConfig
from core.gaussians.train.trainer import make_job
from core.train.spec import TrainingKind

TRAINING_KIND = TrainingKind(name="gaussian", config_model=GaussianConfig, make_job=make_job)
