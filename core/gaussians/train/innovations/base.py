"""The innovation interface: every hook receives the same typed objects, so the step never branches.

An innovation is a class registered by name in :mod:`registry`; its config section is
``innovations.<name>``. The training step calls every built innovation's hooks in the same
order (the registry's), each defaulting to "do nothing", so one innovation overrides only what it
changes:

* ``render_size``     the image size of this step (progressive resolution);
* ``pose``            the mesh vertices of a clip frame (per-frame mesh corrections); also used
                      by evaluation, PLY export and audio-driven rendering of the trained avatar;
* ``transform_image`` the rendered image and any loss terms it produces (colour calibration);
                      also applied at evaluation and rendering time;
* ``pixel_weights``   per-pixel weights of the photometric loss (region weights);
* ``losses``          extra loss terms of this step (contrastive, perceptual, temporal);
* ``refine_context``  what the densification strategy sees (semantic densification);
* ``after_step``      bookkeeping after the optimizers stepped (the contrastive cache).

Trainable innovations own their optimizers (``optimizers``); ``state_dict``/``load_state_dict``
go into the run's checkpoint (tensors, numbers, lists and dicts only: ``weights_only`` loads),
``export``/``restore`` into the trained avatar (``avatar.pt``) for inference.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import torch
from torch import Tensor

from core.gaussians.camera import Camera
from core.gaussians.render.base import RenderOutput
from core.gaussians.train.config import GaussianConfig
from core.gaussians.train.data import AvatarData
from core.gaussians.train.strategies.base import StepContext
from core.train.amp import Amp


@dataclass
class StepInput:
    """What an innovation may read at one training step (filled in as the step proceeds)."""

    step: int  # the step being taken (0-based)
    total_steps: int
    sample: int  # index into ``data.images`` (one image of one clip frame)
    data: AvatarData
    device: torch.device
    amp: Amp
    camera: Camera  # the sample's camera at this step's render size
    target: Tensor  # [H, W, 3] the masked training image at the render size
    image: Tensor | None = None  # [H, W, 3] the render after ``transform_image`` (set after rendering)
    output: RenderOutput | None = None  # the renderer's raw output

    @property
    def frame(self) -> int:
        """The clip frame number of this sample (what ``pose`` is keyed by)."""
        return self.data.frame_of(self.sample)


class Innovation:
    """Base class: every hook does nothing until an innovation overrides it."""

    name: ClassVar[str]  # the registry key and the config section under ``innovations``

    def __init__(self, cfg: GaussianConfig, device: torch.device | str) -> None:
        """Build from the config; heavy or fallible loads (weight files) belong here, before any data."""
        self.cfg = cfg
        self.device = torch.device(device)

    @classmethod
    def active(cls, cfg: GaussianConfig) -> bool:
        """Whether ``cfg`` switches this innovation on (default: its section's ``enabled``)."""
        return bool(getattr(getattr(cfg.innovations, cls.name), "enabled", False))

    @property
    def section(self) -> Any:
        return getattr(self.cfg.innovations, self.name)

    def setup(self, data: AvatarData, device: torch.device) -> None:
        """Once the data is loaded: build networks and precompute what the steps read."""

    def optimizers(self) -> list[torch.optim.Optimizer]:
        return []

    def render_size(self, step: int, total_steps: int, width: int, height: int) -> tuple[int, int]:
        return width, height

    def pose(self, verts: Tensor, frame: int) -> Tensor:
        """Mesh vertices [V, 3] of clip frame ``frame`` as the avatar is posed on them."""
        return verts

    def transform_image(self, image: Tensor) -> tuple[Tensor, dict[str, Tensor]]:
        """(image [H, W, 3], loss terms) for a rendered image."""
        return image, {}

    def pixel_weights(self, inp: StepInput) -> Tensor | None:
        """[H, W] weights of the photometric loss, or None (all 1)."""
        return None

    def losses(self, inp: StepInput) -> dict[str, Tensor]:
        return {}

    def refine_context(self, ctx: StepContext) -> None:
        """Add to what the densification strategy reads this step."""

    def after_step(self, inp: StepInput) -> None:
        """After the optimizers stepped (``inp.image`` is the step's render)."""

    def state_dict(self) -> dict[str, Any]:
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned."""

    def export(self) -> dict[str, Any] | None:
        """What the trained avatar keeps for inference (None: nothing)."""
        return None

    @classmethod
    def restore(cls, cfg: GaussianConfig, state: dict[str, Any], device: torch.device | str) -> Innovation:
        """An inference-only instance from what :meth:`export` returned."""
        raise NotImplementedError(f"the {cls.name} innovation keeps nothing for inference")


def pose_all(hooks: Sequence[Innovation], verts: Tensor, frame: int) -> Tensor:
    for h in hooks:
        verts = h.pose(verts, frame)
    return verts


def transform_all(hooks: Sequence[Innovation], image: Tensor) -> tuple[Tensor, dict[str, Tensor]]:
    terms: dict[str, Tensor] = {}
    for h in hooks:
        image, more = h.transform_image(image)
        terms.update(more)
    return image, terms
