"""Validated settings for the lip-sync renderer: model, attention, losses and augmentation.

Presets mirror the seeds: augmentation "original" (10x10 blur, noise sigma 8, brightness
0.7-1.3) and "optimized" (3x3, 3, 0.85-1.15). Configs are frozen; use `.derive(...)`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from core.config.model import ConfigModel
from core.jobs.message import Text
from core.lipsync.geometry import ALLOWED_MOUTH_SIZES
from core.losses.temporal_weights import TemporalWeights

AttentionPoint = Literal["encoder", "decoder"]
MouthSize = Literal[64, 96, 128, 160, 256]
assert set(MouthSize.__args__) == set(ALLOWED_MOUTH_SIZES)  # type: ignore[attr-defined]


class AttentionConfig(ConfigModel):
    """Which attention modules run, and where (see docs/models.md for the insertion points).

    `encoder`: on the source features at the bottleneck, before AdaAT's parameters are
    predicted. `decoder`: on the fused features after the first up-sampling stage.
    With `fusion` on, the enabled modules run in parallel and their outputs are mixed with
    learned, input-dependent weights; with it off they run one after another.
    """

    spatial_channel: bool = False
    mouth: bool = False
    multi_scale: bool = False
    fusion: bool = False
    scales: tuple[int, ...] = (1, 2, 4)
    reduction: int = Field(default=8, ge=1, le=64)
    points: tuple[AttentionPoint, ...] = ("encoder", "decoder")
    mouth_prior_softness: float = Field(default=0.25, gt=0.0, le=2.0)

    @property
    def enabled(self) -> bool:
        return bool(self.spatial_channel or self.mouth or self.multi_scale) and bool(self.points)

    @model_validator(mode="after")
    def _check(self) -> AttentionConfig:
        if not self.scales or any(s < 1 for s in self.scales):
            raise ValueError(f"scales must be positive integers, got {self.scales}")
        if len(set(self.points)) != len(self.points):
            raise ValueError(f"points must not repeat, got {self.points}")
        return self

    @classmethod
    def all_on(cls) -> AttentionConfig:
        return cls(spatial_channel=True, mouth=True, multi_scale=True, fusion=True)


class RendererConfig(ConfigModel):
    """One lip-sync renderer: variant, mouth size, channel width, attention.

    `base_channels` 0 means the variant's default (full: 32, mini: 8).
    """

    variant: Literal["full", "mini"] = "full"
    mouth_size: MouthSize = 64
    base_channels: int = Field(default=0, ge=0, le=256)
    num_references: int = Field(default=5, ge=1, le=16)
    res_blocks: int = Field(default=2, ge=0, le=16)
    attention: AttentionConfig = AttentionConfig()

    @property
    def width(self) -> int:
        if self.base_channels:
            return self.base_channels
        return 32 if self.variant == "full" else 8


DiscriminatorRegion = Literal["crop", "mouth"]


class DiscriminatorConfig(ConfigModel):
    """The GAN critic: its size, what it looks at, and how often it learns.

    `region` "crop" judges the whole face crop; "mouth" judges only the mouth box (the only
    pixels paste-back keeps), a third of the crop's pixels at M = 64. `update_every` k updates
    the discriminator on every k-th step only; `gan_term_every` k gives the generator its GAN
    term (the critic's forward and backward on the render) on every k-th step only, the other
    steps train on the reconstruction terms alone. The defaults are the original recipe; the
    mini preset uses a light critic (one scale, base 16, mouth region) so the generator, not the
    critic, is the cost of a step.
    """

    num_scales: int = Field(default=2, ge=1, le=4)
    base_channels: int = Field(default=32, ge=4, le=256)
    num_layers: int = Field(default=3, ge=1, le=6)
    region: DiscriminatorRegion = "crop"
    update_every: int = Field(default=1, ge=1, le=64)
    gan_term_every: int = Field(default=1, ge=1, le=64)


class LossConfig(ConfigModel):
    """Loss weights. `vgg19_path` empty = look in the torch hub cache (see core.losses.vgg19)."""

    lamb_pixel: float = Field(default=10.0, ge=0.0)
    lamb_perception: float = Field(default=10.0, ge=0.0)
    lamb_gan: float = Field(default=1.0, ge=0.0)
    lamb_mouth: float = Field(default=5.0, ge=0.0)
    mouth_weight: float = Field(default=4.0, ge=1.0)
    lamb_temporal: float = Field(default=0.0, ge=0.0)
    # Laplacian L1 in the mouth box at `high_frequency_levels` octaves (core.losses.high_frequency):
    # charges the teeth/lip edges a blurry render lacks. 0 = off.
    lamb_high_frequency: float = Field(default=0.0, ge=0.0)
    # Octaves of that Laplacian L1 (1 = full resolution only; 2 adds half resolution, ...).
    high_frequency_levels: int = Field(default=2, ge=1, le=4)
    temporal: TemporalWeights = TemporalWeights()
    vgg19_path: str = ""
    perception_scales: tuple[float, ...] = (1.0, 0.5, 0.25)

    @property
    def needs_vgg(self) -> bool:
        return self.lamb_perception > 0


class AugmentationConfig(ConfigModel):
    """Photometric augmentation of source/reference crops during training.

    Per image: a box blur with a kernel drawn from 1..`blur_kernel`, Gaussian noise with a
    sigma drawn from 0..`noise_sigma` (in 0-255 pixel units), and a brightness factor drawn
    from `brightness`; each applied with probability `probability`.
    """

    blur_kernel: int = Field(default=3, ge=1, le=31)
    noise_sigma: float = Field(default=3.0, ge=0.0, le=64.0)
    brightness: tuple[float, float] = (0.85, 1.15)
    probability: float = Field(default=0.5, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _check(self) -> AugmentationConfig:
        lo, hi = self.brightness
        if not 0.0 < lo <= hi:
            raise ValueError(f"brightness must be (low, high) with 0 < low <= high, got {self.brightness}")
        return self


AUGMENTATION_PRESETS: dict[str, AugmentationConfig] = {
    "original": AugmentationConfig(blur_kernel=10, noise_sigma=8.0, brightness=(0.7, 1.3)),
    "optimized": AugmentationConfig(blur_kernel=3, noise_sigma=3.0, brightness=(0.85, 1.15)),
}


def augmentation_preset(name: str) -> AugmentationConfig:
    from core.config.errors import ConfigError

    if name not in AUGMENTATION_PRESETS:
        raise ConfigError(
            Text(
                "unknown augmentation preset {name!r}; allowed: {allowed}",
                name=name,
                allowed=sorted(AUGMENTATION_PRESETS),
            )
        )
    return AUGMENTATION_PRESETS[name]
