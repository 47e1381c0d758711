"""The `audio2mouth` training job's validated configuration (training_jobs/audio2mouth.toml)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from core.audio.fbank import FbankConfig
from core.compute.config import CpuThreads
from core.config.model import ConfigModel
from core.mouth.model import ModelConfig
from core.train.holdout import DEFAULT_HOLDOUT


class SpaceConfig(ConfigModel):
    k: int = Field(default=6, ge=1, le=32)  # PCA coefficients per frame


class PriorConfig(ConfigModel):
    """Start from the speaker-independent prior (`core.mouth.prior`) mapped onto the clip's mouth
    space by a ridge fit on its training frames; `train.steps` then fine-tunes it (0: the mapped
    prior as it is, ready in seconds)."""

    use: bool = True
    path: str | None = None  # a prior file; None: the shipped resources/audio_prior.pt
    # what fine-tuning may change: "head" (the output layers) or "all" (every layer, which overfit
    # the 5-8 s real sample clips: benchmarks/results/audio_prior.json)
    finetune: Literal["head", "all"] = "head"


class TrainConfig(ConfigModel):
    steps: int = Field(default=400, ge=0)
    epoch_steps: int = Field(default=50, ge=1)  # optimizer steps between evaluations / checkpoints
    batch: int = Field(default=16, ge=1, le=1024)
    window: int = Field(default=50, ge=4, le=2000)  # video frames per training sequence
    lr: float = Field(default=1e-3, gt=0.0, le=1.0)
    weight_decay: float = Field(default=1e-4, ge=0.0)
    grad_clip: float = Field(default=1.0, gt=0.0)
    # last fraction of each clip, never trained on
    holdout: float = Field(default=DEFAULT_HOLDOUT, ge=0.05, le=0.5)
    feature_noise: float = Field(default=0.1, ge=0.0)  # Gaussian noise on normalised features
    gain_db: float = Field(default=6.0, ge=0.0, le=40.0)  # random loudness change per window, +-dB
    seed: int = 0
    # torch threads on the CPU (0 / "auto": the free cores); one is fastest for this small recurrent model
    cpu_threads: CpuThreads = 1
    # keep freed memory in the C heap between steps instead of page-faulting it in again (core.compute.heap)
    retain_heap: bool = True
    # each clip's sound as prepare re-timed it by its measured sound-vs-picture offset (the model then
    # learns in-sync pairs), or "file": as the file has it (eval-audio's file-timing rows)
    sound_timing: Literal["retimed", "file"] = "retimed"


class Audio2MouthConfig(ConfigModel):
    kind: Literal["audio2mouth"] = "audio2mouth"
    features: FbankConfig = FbankConfig()
    space: SpaceConfig = SpaceConfig()
    model: ModelConfig = ModelConfig()
    train: TrainConfig = TrainConfig()
    prior: PriorConfig = PriorConfig()
