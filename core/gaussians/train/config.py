"""The `gaussian` training job's validated configuration (training_jobs/gaussian_*.toml).

Every innovation from the seeds is a section with ``enabled = false`` by default, so the baseline
is the plain GaussianAvatars recipe and each preset switches on exactly what it names.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from core.compute.config import CpuThreads
from core.config.model import ConfigModel
from core.train.holdout import DEFAULT_HOLDOUT


class DataConfig(ConfigModel):
    """How frames become training images: a square crop around the face, resized to ``resolution``."""

    # the mesh the Gaussians are bound to: the MediaPipe face mesh tracked by `dhstudio prepare`, or
    # FLAME on a clip imported with `dhstudio import-vhap` (needs the user's FLAME model files)
    mesh: Literal["mediapipe", "flame"] = "mediapipe"
    flame_dir: str = ""  # folder of flame2023.pkl / generic_model.pkl; empty: $DHSTUDIO_FLAME_DIR

    resolution: int = Field(default=256, ge=16, le=2048)  # training image side in pixels (at scale 1.0)
    crop_margin: float = Field(default=0.35, ge=0.0, le=2.0)  # extra border around the union of face boxes
    # last fraction of frames: self-reenactment test
    holdout: float = Field(default=DEFAULT_HOLDOUT, ge=0.05, le=0.5)
    max_frames: int = Field(default=0, ge=0)  # 0 = every frame; else this many evenly spaced frames
    background: tuple[float, float, float] = (0.0, 0.0, 0.0)  # outside the face mask, target and render


class OptimConfig(ConfigModel):
    """Per-parameter Adam learning rates (GaussianAvatars defaults)."""

    position_lr_init: float = Field(default=5e-3, gt=0.0)  # x scene extent
    position_lr_final: float = Field(default=5e-5, gt=0.0)  # x scene extent, reached at the last step
    features_lr: float = Field(default=2.5e-3, gt=0.0)  # SH DC; higher bands use features_lr / rest_divisor
    rest_divisor: float = Field(default=20.0, gt=0.0)
    opacity_lr: float = Field(default=0.05, gt=0.0)
    scaling_lr: float = Field(default=0.017, gt=0.0)
    rotation_lr: float = Field(default=1e-3, gt=0.0)
    mesh_lr: float = Field(default=1e-4, gt=0.0)  # per-frame mesh corrections (when fine-tuned)


class LossConfig(ConfigModel):
    l1: float = Field(default=0.8, ge=0.0)
    dssim: float = Field(default=0.2, ge=0.0)
    xyz_weight: float = Field(default=1e-2, ge=0.0)  # relu(|local xyz| - threshold), GaussianAvatars
    xyz_threshold: float = Field(default=1.0, ge=0.0)
    scale_weight: float = Field(default=1.0, ge=0.0)  # relu(local scale - threshold)
    scale_threshold: float = Field(default=0.6, ge=0.0)


class DensifyConfig(ConfigModel):
    """When and how Gaussians are cloned, split, pruned; ``strategy`` picks the rule."""

    strategy: Literal["default", "percentile"] = "default"
    start: float = Field(default=0.05, ge=0.0, le=1.0)  # fraction of the step budget
    stop: float = Field(default=0.6, ge=0.0, le=1.0)
    every: int = Field(default=100, ge=1)
    opacity_reset_every: int = Field(default=3000, ge=1)
    grad_threshold: float = Field(default=2e-4, gt=0.0)  # mean screen-space gradient (NDC units)
    percent_dense: float = Field(default=0.01, gt=0.0)  # split when max world scale > this x extent
    min_opacity: float = Field(default=0.005, ge=0.0, lt=1.0)
    clone_percentile: float = Field(default=75.0, gt=0.0, lt=100.0)  # strategy = "percentile"
    split_percentile: float = Field(default=90.0, gt=0.0, lt=100.0)
    max_gaussians: int = Field(default=100_000, ge=1)

    @model_validator(mode="after")
    def _order(self) -> DensifyConfig:
        if self.stop < self.start:
            raise ValueError(f"densify.stop ({self.stop}) must be >= densify.start ({self.start})")
        if self.split_percentile <= self.clone_percentile:
            raise ValueError("densify.split_percentile must be above densify.clone_percentile")
        return self


class RegionWeightsConfig(ConfigModel):
    enabled: bool = False
    eyes: float = Field(default=2.0, ge=0.0)
    mouth: float = Field(default=2.0, ge=0.0)
    nose: float = Field(default=1.5, ge=0.0)


class SemanticDensifyConfig(ConfigModel):
    enabled: bool = False
    ratio: float = Field(default=1.5, ge=1.0)  # thresholds / ratio for eye, mouth and nose Gaussians
    regions: tuple[str, ...] = ("eyes", "mouth", "nose")


class ProgressiveConfig(ConfigModel):
    enabled: bool = False
    scales: tuple[float, ...] = (0.5, 0.75, 1.0)
    milestones: tuple[float, ...] = (0.3, 0.6)  # fractions of the step budget where the next scale starts

    @model_validator(mode="after")
    def _shape(self) -> ProgressiveConfig:
        if len(self.milestones) != len(self.scales) - 1:
            raise ValueError("progressive.milestones needs one entry fewer than progressive.scales")
        if any(not 0 < s <= 1 for s in self.scales):
            raise ValueError("progressive.scales must lie in (0, 1]")
        if list(self.milestones) != sorted(self.milestones) or any(not 0 < m < 1 for m in self.milestones):
            raise ValueError("progressive.milestones must increase and lie in (0, 1)")
        return self


class ColorCalibrationConfig(ConfigModel):
    enabled: bool = False
    hidden: int = Field(default=16, ge=1, le=256)
    reg: float = Field(default=1e-4, ge=0.0)  # weight of the mean squared correction
    lr: float = Field(default=1e-3, gt=0.0)


class ContrastiveConfig(ConfigModel):
    enabled: bool = False
    weight: float = Field(default=0.01, ge=0.0)
    cache_size: int = Field(default=2, ge=1, le=64)
    pool: int = Field(default=8, ge=1, le=64)


class PerceptualConfig(ConfigModel):
    enabled: bool = False
    weight: float = Field(default=0.05, ge=0.0)
    vgg19_path: str = ""  # empty: the torch hub cache (vgg19-dcbb9e9d.pth)


class TemporalConfig(ConfigModel):
    """Smoothness of the per-frame mesh corrections; switching it on also fine-tunes them."""

    enabled: bool = False
    weight: float = Field(default=0.01, ge=0.0)


class InnovationsConfig(ConfigModel):
    region_weights: RegionWeightsConfig = RegionWeightsConfig()
    semantic_densify: SemanticDensifyConfig = SemanticDensifyConfig()
    progressive: ProgressiveConfig = ProgressiveConfig()
    color_calibration: ColorCalibrationConfig = ColorCalibrationConfig()
    contrastive: ContrastiveConfig = ContrastiveConfig()
    perceptual: PerceptualConfig = PerceptualConfig()
    temporal: TemporalConfig = TemporalConfig()


class TrainConfig(ConfigModel):
    steps: int = Field(default=30_000, ge=1)
    seed: int = 0
    cpu_threads: CpuThreads = 0  # torch threads on the CPU; 0 / "auto" = the free cores
    # keep freed memory in the C heap between steps instead of page-faulting it in again (core.compute.heap)
    retain_heap: bool = True
    sh_degree: int = Field(default=3, ge=0, le=3)
    sh_increase_every: int = Field(default=1000, ge=1)
    renderer: Literal["auto", "native", "torch", "gsplat"] = "auto"  # auto: gsplat on CUDA, native on the CPU
    amp: bool = True  # CUDA only
    finetune_mesh: bool = False  # per-frame rigid mesh corrections (always on with temporal)
    log_every: int = Field(default=10, ge=1)
    preview_every: int = Field(default=500, ge=1)
    eval_every: int = Field(default=500, ge=0)  # held-out PSNR/SSIM on a few frames; 0 = only at the end
    checkpoint_every: int = Field(default=1000, ge=1)


class GaussianConfig(ConfigModel):
    kind: Literal["gaussian"] = "gaussian"
    data: DataConfig = DataConfig()
    optim: OptimConfig = OptimConfig()
    loss: LossConfig = LossConfig()
    densify: DensifyConfig = DensifyConfig()
    innovations: InnovationsConfig = InnovationsConfig()
    train: TrainConfig = TrainConfig()

    @property
    def mesh_finetuned(self) -> bool:
        return self.train.finetune_mesh or self.innovations.temporal.enabled

    def enabled_innovations(self) -> list[str]:
        """Names of the switched-on innovations (plus the percentile rule), for logs and tables."""
        names = [n for n, sec in self.innovations if getattr(sec, "enabled", False)]
        if self.densify.strategy == "percentile":
            names.insert(0, "smart_densify")
        return names
