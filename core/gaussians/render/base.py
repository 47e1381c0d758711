"""The renderer interface shared by the gsplat and the PyTorch backends.

A renderer is a plain function ``render(gaussians, camera, options) -> RenderOutput``. Inputs are
world-space, activated Gaussian parameters (see :class:`GaussiansWorld`); options come in small
dataclasses. Compositing semantics (documented here once, followed by every backend):

* a Gaussian's alpha at a pixel centre is ``min(alpha_max, opacity * exp(-0.5 * d^T conic d))``;
* contributions with ``alpha < alpha_min`` (1/255) are skipped;
* Gaussians are composited front to back in depth order; a Gaussian whose contribution would
  bring the transmittance to ``<= transmittance_min`` (1e-4) is *not* composited and ends the pixel
  (3DGS / gsplat "exclusive" early termination);
* ``colors = sum_i c_i a_i T_i + T_final * background``, ``alphas = 1 - T_final``,
  ``depth = sum_i z_i a_i T_i / max(alphas, 1e-10)`` (expected depth).

gsplat clamps alpha at 0.999 inside its kernel; the PyTorch backend default is 0.99 (3DGS), and
``alpha_max`` can be set to 0.999 to match gsplat exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import Tensor

from core.gaussians.camera import Camera


@dataclass
class GaussiansWorld:
    """Activated world-space Gaussians (N of them)."""

    means: Tensor  # [N, 3]
    quats: Tensor  # [N, 4] (w, x, y, z), need not be normalised
    scales: Tensor  # [N, 3] standard deviations along the local axes (already exp'd)
    opacities: Tensor  # [N] in (0, 1) (already sigmoid'ed)
    sh: Tensor  # [N, K, 3] SH coefficients, K = (degree + 1) ** 2 >= 1

    def __post_init__(self) -> None:
        n = self.means.shape[0]
        shapes = {"means": (n, 3), "quats": (n, 4), "scales": (n, 3), "opacities": (n,)}
        for name, shape in shapes.items():
            if tuple(getattr(self, name).shape) != shape:
                raise ValueError(f"{name} must have shape {shape}, got {tuple(getattr(self, name).shape)}")
        if self.sh.dim() != 3 or self.sh.shape[0] != n or self.sh.shape[2] != 3:
            raise ValueError(f"sh must have shape [{n}, K, 3], got {tuple(self.sh.shape)}")

    @property
    def count(self) -> int:
        return int(self.means.shape[0])

    @property
    def device(self) -> torch.device:
        return self.means.device


@dataclass(frozen=True)
class ProjectionOptions:
    near_plane: float = 0.01
    far_plane: float = 1e10
    eps2d: float = 0.3  # low-pass dilation added to the 2D covariance (pixels^2), as in 3DGS


@dataclass(frozen=True)
class CompositeOptions:
    tile_size: int = 8  # PyTorch backend (binning is exact, so this only changes speed); gsplat uses 16
    alpha_min: float = 1.0 / 255.0
    alpha_max: float = 0.99
    transmittance_min: float = 1e-4
    background: tuple[float, float, float] = (0.0, 0.0, 0.0)


@dataclass(frozen=True)
class RenderOptions:
    projection: ProjectionOptions = field(default_factory=ProjectionOptions)
    composite: CompositeOptions = field(default_factory=CompositeOptions)
    sh_degree: int | None = None  # None: use every band present in ``sh``
    render_depth: bool = True


@dataclass
class RenderOutput:
    """One rendered view; ``meta`` holds the per-Gaussian screen-space data for densification.

    ``meta`` keys: ``means2d`` [N, 2] (pixel coordinates; ``retain_grad()`` was called when it is
    part of an autograd graph, so ``meta["means2d"].grad`` holds the screen-space gradient after
    ``backward()``), ``radii`` [N, 2] int32 (0 = culled), ``depths`` [N], ``backend`` (str).
    """

    colors: Tensor  # [H, W, 3]
    alphas: Tensor  # [H, W, 1]
    depth: Tensor | None  # [H, W, 1] expected depth, or None when not requested
    meta: dict[str, Any]


RenderFn = Callable[[GaussiansWorld, Camera, RenderOptions], RenderOutput]


@dataclass(frozen=True)
class Renderer:
    """A named backend: ``renderer.render(gaussians, camera, options)``."""

    name: str
    render: RenderFn


def active_sh_degree(sh: Tensor, requested: int | None) -> int:
    """The SH degree to evaluate: the requested one, limited by the bands stored in ``sh``."""
    stored = int(round(sh.shape[1] ** 0.5)) - 1
    if (stored + 1) ** 2 != sh.shape[1] or stored > 3:
        raise ValueError(f"sh must hold 1, 4, 9 or 16 coefficients per channel, got {sh.shape[1]}")
    if requested is None:
        return stored
    if not 0 <= requested <= stored:
        raise ValueError(
            f"sh_degree {requested} needs {(requested + 1) ** 2} coefficients, have {sh.shape[1]}"
        )
    return requested
