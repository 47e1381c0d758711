"""The `dinet` kind for `dhstudio train` (registered in studio/training.py)."""

from __future__ import annotations

from core.lipsync.train_config import DinetTrainConfig
from core.lipsync.trainer import make_job
from core.train.spec import TrainingKind

KIND = TrainingKind(name="dinet", config_model=DinetTrainConfig, make_job=make_job)
