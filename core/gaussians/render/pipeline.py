"""The CPU/PyTorch render pipeline shared by the PyTorch and the fused C++ rasterizers.

A preprocessing function (EWA projection, :mod:`projection`, and SH colours, :mod:`sh`) -> a
compositing function (tile binning and front-to-back blending, see :mod:`base` for its rule) ->
the background and expected depth. The backends differ only in those two functions (the fused one
does both in C++ with hand-written backward passes; :func:`torch_preprocess` is the reference), so
everything around them is written once here and autograd joins them the same way for both.
"""

from __future__ import annotations

from typing import Protocol

import torch
from torch import Tensor

from core.gaussians.camera import Camera
from core.gaussians.render.base import (
    CompositeOptions,
    GaussiansWorld,
    RenderOptions,
    RenderOutput,
    active_sh_degree,
)
from core.gaussians.render.projection import Projected, project_gaussians
from core.gaussians.render.sh import sh_to_rgb


class CompositeFn(Protocol):
    """Blend screen-space Gaussians front to back: ``(features [H, W, D], alphas [H, W, 1])``."""

    def __call__(
        self,
        means2d: Tensor,  # [N, 2] pixels
        conics: Tensor,  # [N, 3]
        opacities: Tensor,  # [N]
        features: Tensor,  # [N, D]
        depths: Tensor,  # [N]
        radii: Tensor,  # [N, 2] int32, 0 = culled
        width: int,
        height: int,
        comp: CompositeOptions,
    ) -> tuple[Tensor, Tensor]: ...


class PreprocessFn(Protocol):
    """Project and shade: the screen-space Gaussians and their features [N, 3] (rgb) or [N, 4]
    (rgb, depth when ``options.render_depth``)."""

    def __call__(
        self, gaussians: GaussiansWorld, camera: Camera, options: RenderOptions, degree: int
    ) -> tuple[Projected, Tensor]: ...


def torch_preprocess(
    gaussians: GaussiansWorld, camera: Camera, options: RenderOptions, degree: int
) -> tuple[Projected, Tensor]:
    """EWA projection and SH colours in PyTorch ops (the reference; autograd gives the backward)."""
    proj = project_gaussians(
        gaussians.means,
        gaussians.quats,
        gaussians.scales,
        gaussians.opacities,
        camera,
        options.projection,
        options.composite.alpha_min,
    )
    rgb = sh_to_rgb(gaussians.sh, gaussians.means, camera.position(), degree)
    features = torch.cat([rgb, proj.depths[:, None]], dim=-1) if options.render_depth else rgb
    return proj, features


def render_with(
    gaussians: GaussiansWorld,
    camera: Camera,
    options: RenderOptions | None,
    composite: CompositeFn,
    backend: str,
    preprocess: PreprocessFn = torch_preprocess,
) -> RenderOutput:
    """Project, shade and composite ``gaussians``; ``backend`` is recorded in ``meta``."""
    options = options or RenderOptions()
    comp = options.composite
    degree = active_sh_degree(gaussians.sh, options.sh_degree)
    proj, features = preprocess(gaussians, camera, options, degree)
    means2d = proj.means2d
    if means2d.requires_grad:
        means2d.retain_grad()
    image, alphas = composite(
        means2d,
        proj.conics,
        gaussians.opacities,
        features,
        proj.depths,
        proj.radii,
        camera.width,
        camera.height,
        comp,
    )
    bg = torch.tensor(comp.background, dtype=image.dtype, device=image.device)
    colors = image[..., :3] + (1.0 - alphas) * bg
    depth = image[..., 3:4] / alphas.clamp_min(1e-10) if options.render_depth else None
    meta = {
        "means2d": means2d,
        "radii": proj.radii,
        "depths": proj.depths,
        "conics": proj.conics,
        "backend": backend,
    }
    return RenderOutput(colors=colors, alphas=alphas, depth=depth, meta=meta)
