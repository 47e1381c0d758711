"""The CPU/PyTorch render pipeline shared by the PyTorch and the fused C++ rasterizers.

EWA projection (:mod:`projection`) -> SH colours (:mod:`sh`) -> a compositing function -> the
background and expected depth. Only the compositing step (tile binning and front-to-back
blending, see :mod:`base` for its rule) differs between the two backends, so everything around it
is written once here and autograd handles it the same way for both.
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
from core.gaussians.render.projection import project_gaussians
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


def render_with(
    gaussians: GaussiansWorld,
    camera: Camera,
    options: RenderOptions | None,
    composite: CompositeFn,
    backend: str,
) -> RenderOutput:
    """Project, shade and composite ``gaussians``; ``backend`` is recorded in ``meta``."""
    options = options or RenderOptions()
    comp = options.composite
    proj = project_gaussians(
        gaussians.means,
        gaussians.quats,
        gaussians.scales,
        gaussians.opacities,
        camera,
        options.projection,
        comp.alpha_min,
    )
    means2d = proj.means2d
    if means2d.requires_grad:
        means2d.retain_grad()
    degree = active_sh_degree(gaussians.sh, options.sh_degree)
    rgb = sh_to_rgb(gaussians.sh, gaussians.means, camera.position(), degree)
    features = torch.cat([rgb, proj.depths[:, None]], dim=-1) if options.render_depth else rgb
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
