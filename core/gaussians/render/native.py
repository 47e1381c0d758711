"""The fused C++ CPU rasterizer: projection, SH colours, tile binning, compositing and their backward.

The compiled module (``csrc/rasterize.cpp``) supplies both steps of the shared pipeline
(:mod:`pipeline`): the per-Gaussian preprocessing (EWA projection and SH colours,
``csrc/preprocess.h``) and the per-tile compositing (``csrc/tile_kernels.h``), each an autograd
function with a hand-written backward. Autograd joins them as for the PyTorch rasterizer, which
remains the reference the tests compare against (``meta["means2d"].grad`` is filled the same way).
A camera whose tensors require gradients is projected by the PyTorch code (the kernel has no
camera gradients); compositing stays native.

The module is compiled ahead of time (``python -m core.gaussians.render.build_native``, run by
``installers/setup.sh``) into :func:`core.native_cache.build_dir`; this module only *loads* it.
Without that build, an application bundle's portable build for the highest instruction-set level
this CPU runs is loaded instead (:func:`find`). When neither loads, :func:`status` says why and
the renderer selection falls back to the PyTorch rasterizer: nothing is ever compiled in the
middle of a training run.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any

import torch
from torch import Tensor

from core import native_cache
from core.gaussians.camera import Camera
from core.gaussians.render import native_build
from core.gaussians.render.base import CompositeOptions, GaussiansWorld, RenderOptions, RenderOutput
from core.gaussians.render.pipeline import render_with, torch_preprocess
from core.gaussians.render.projection import Projected
from core.native_ext import NativeStatus


def load_module(
    directory: Path, fresh: bool = False, level: native_cache.Level | None = None
) -> tuple[ModuleType | None, str]:
    """Load this source's compiled module (this CPU's build, or `level`'s) from ``directory``;
    never compiles."""
    return native_build.EXTENSION.load_module(directory, fresh, level)


def find(own: Path, bundled: Path | None, cpu: str | None = None) -> NativeStatus:
    """This machine's build from `own`; else the bundle's build in `bundled` for the highest level
    `cpu` (a flags line; default this CPU's) runs. The detail says which, or why neither."""
    return NativeStatus(*native_build.EXTENSION.find(own, bundled, cpu))


@lru_cache(maxsize=1)
def status() -> NativeStatus:
    """Whether the fused rasterizer is usable in this process (looked up once): :func:`find` in the
    build directory and the bundle's folder."""
    return find(native_cache.build_dir(), native_cache.bundled_dir())


def _module() -> ModuleType:
    st = status()
    if st.module is None:
        raise RuntimeError(st.detail)
    return st.module


class _RasterizeFn(torch.autograd.Function):
    """Composite screen-space Gaussians with the fused kernel; backward is the kernel's too."""

    @staticmethod
    def forward(  # type: ignore[override]
        ctx: Any,
        means2d: Tensor,
        conics: Tensor,
        opacities: Tensor,
        features: Tensor,
        depths: Tensor,
        radii: Tensor,
        width: int,
        height: int,
        comp: CompositeOptions,
    ) -> tuple[Tensor, Tensor]:
        args = (width, height, comp.tile_size, comp.alpha_min, comp.alpha_max, comp.transmittance_min)
        inputs = [t.detach().contiguous() for t in (means2d, conics, opacities, features)]
        image, alphas, t_final, last, offsets, ids = _module().forward(
            *inputs, radii.to(torch.int32).contiguous(), depths.detach().contiguous(), *args
        )
        ctx.save_for_backward(*inputs, offsets, ids, t_final, last)
        ctx.args = args
        ctx.mark_non_differentiable(t_final)
        return image, alphas

    @staticmethod
    def backward(ctx: Any, g_image: Tensor, g_alphas: Tensor):  # type: ignore[override]
        saved = ctx.saved_tensors
        g_means, g_conics, g_opac, g_feat = _module().backward(*saved, g_image, g_alphas, *ctx.args)
        return g_means, g_conics, g_opac, g_feat, None, None, None, None, None


class _PreprocessFn(torch.autograd.Function):
    """Project and shade every Gaussian in the kernel; backward to means, quats, scales and SH."""

    @staticmethod
    def forward(  # type: ignore[override]
        ctx: Any,
        means: Tensor,
        quats: Tensor,
        scales: Tensor,
        sh: Tensor,
        opacities: Tensor,
        camera: tuple[Tensor, Tensor, Tensor],
        settings: tuple,
    ) -> tuple[Tensor, Tensor, Tensor, Tensor, Tensor]:
        inputs = [t.detach().contiguous() for t in (means, quats, scales, sh)]
        cam = [t.detach() for t in camera]
        out = _module().preprocess_forward(
            *inputs[:3], opacities.detach().contiguous(), inputs[3], *cam, *settings
        )
        ctx.save_for_backward(*inputs, *cam)
        ctx.settings = settings
        ctx.mark_non_differentiable(out[3])
        return tuple(out)

    @staticmethod
    def backward(ctx: Any, g_means2d, g_conics, g_depths, g_radii, g_feat):  # type: ignore[override]
        means, quats, scales, sh, viewmat, K, campos = ctx.saved_tensors
        *settings, with_depth = ctx.settings
        n, d = means.shape[0], 4 if with_depth else 3
        grads = [
            g if g is not None else torch.zeros(shape, dtype=means.dtype)
            for g, shape in ((g_means2d, (n, 2)), (g_conics, (n, 3)), (g_depths, (n,)), (g_feat, (n, d)))
        ]
        g = _module().preprocess_backward(means, quats, scales, sh, viewmat, K, campos, *settings, *grads)
        return g[0], g[1], g[2], g[3], None, None, None


def preprocess(
    gaussians: GaussiansWorld, camera: Camera, options: RenderOptions, degree: int
) -> tuple[Projected, Tensor]:
    """The pipeline's preprocessing step in the kernel (see :class:`pipeline.PreprocessFn`)."""
    cam_tensors = (camera.viewmat, camera.K)
    if gaussians.device.type != "cpu" or any(t.requires_grad for t in cam_tensors):
        return torch_preprocess(gaussians, camera, options, degree)
    dt = gaussians.means.dtype
    cam = (camera.viewmat.to(dt), camera.K.to(dt), camera.position().to(dt))
    po = options.projection
    settings = (
        camera.width,
        camera.height,
        po.near_plane,
        po.far_plane,
        po.eps2d,
        options.composite.alpha_min,
        degree,
        options.render_depth,
    )
    g = gaussians
    means2d, conics, depths, radii, features = _PreprocessFn.apply(
        g.means, g.quats, g.scales, g.sh, g.opacities, cam, settings
    )
    return Projected(means2d=means2d, conics=conics, depths=depths, radii=radii), features


def composite(
    means2d: Tensor,
    conics: Tensor,
    opacities: Tensor,
    features: Tensor,
    depths: Tensor,
    radii: Tensor,
    width: int,
    height: int,
    comp: CompositeOptions,
) -> tuple[Tensor, Tensor]:
    """Fused binning + front-to-back compositing: ``(features [H, W, D], alphas [H, W, 1])``."""
    if means2d.device.type != "cpu":
        raise ValueError(f"the fused rasterizer runs on the CPU, got tensors on {means2d.device}")
    return _RasterizeFn.apply(means2d, conics, opacities, features, depths, radii, width, height, comp)


def render(gaussians: GaussiansWorld, camera: Camera, options: RenderOptions | None = None) -> RenderOutput:
    """Render on the CPU with the fused kernel (same interface and output as the PyTorch rasterizer)."""
    return render_with(gaussians, camera, options, composite, "native", preprocess)
