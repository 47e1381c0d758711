"""The gsplat backend (CUDA): the same interface as the PyTorch rasterizer.

gsplat's ``rasterization()`` takes batched cameras (``viewmats`` [C, 4, 4] world-to-camera in OpenCV
axes, ``Ks`` [C, 3, 3]), activated scales/opacities, and SH coefficients [N, K, 3] with
``sh_degree``; it returns colours [C, H, W, D], alphas [C, H, W, 1] and a ``meta`` dict whose
``means2d`` [C, N, 2] keeps the screen-space gradient for densification. We call it with one
camera and ``packed=False`` so ``means2d``/``radii`` are per Gaussian, then drop the camera axis.
Because gsplat's ``means2d`` carries that camera axis, ``meta["means2d"]`` here is a detached
[N, 2] copy whose ``.grad`` a backward hook fills (and accumulates) from gsplat's gradient, so
callers read ``meta["means2d"].grad`` [N, 2] whichever backend rendered.

Differences to the PyTorch backend: the kernel clamps alpha at 0.999 (``alpha_max`` is ignored) and
``alpha_min``/``transmittance_min`` are compile-time constants equal to our defaults (1/255, 1e-4).
gsplat is imported lazily: importing it works without CUDA, but its ops then fail.
"""

from __future__ import annotations

import torch

from core.gaussians.camera import Camera
from core.gaussians.render.base import GaussiansWorld, RenderOptions, RenderOutput, active_sh_degree


def render(gaussians: GaussiansWorld, camera: Camera, options: RenderOptions | None = None) -> RenderOutput:
    """Render with ``gsplat.rasterization`` on the tensors' (CUDA) device."""
    from gsplat import rasterization  # lazy: compiles/loads the CUDA kernels on first use

    options = options or RenderOptions()
    po, co = options.projection, options.composite
    dev, dt = gaussians.means.device, gaussians.means.dtype
    degree = active_sh_degree(gaussians.sh, options.sh_degree)
    background = torch.tensor(co.background, device=dev, dtype=dt)  # gsplat appends the depth channel
    colors, alphas, meta = rasterization(
        means=gaussians.means,
        quats=gaussians.quats,
        scales=gaussians.scales,
        opacities=gaussians.opacities,
        colors=gaussians.sh,
        viewmats=camera.viewmat.to(dev, dt)[None],
        Ks=camera.K.to(dev, dt)[None],
        width=camera.width,
        height=camera.height,
        near_plane=po.near_plane,
        far_plane=po.far_plane,
        eps2d=po.eps2d,
        sh_degree=degree,
        packed=False,
        tile_size=16,  # gsplat's kernels are tuned and tested for 16
        backgrounds=background[None],
        render_mode="RGB+ED" if options.render_depth else "RGB",
        rasterize_mode="classic",
    )
    means2d = _screen_grad_proxy(meta["means2d"])
    image = colors[0]
    depth = image[..., 3:4] if options.render_depth else None
    out_meta = {
        "means2d": means2d,
        "radii": meta["radii"][0],
        "depths": meta["depths"][0],
        "conics": meta["conics"][0],
        "backend": "gsplat",
        "gsplat_meta": meta,
    }
    return RenderOutput(colors=image[..., :3], alphas=alphas[0], depth=depth, meta=out_meta)


def _screen_grad_proxy(means2d: torch.Tensor) -> torch.Tensor:
    """A detached [N, 2] copy of gsplat's [1, N, 2] ``means2d`` whose ``.grad`` mirrors its gradient."""
    proxy = means2d.detach()[0].clone()
    if means2d.requires_grad:

        def copy_grad(grad: torch.Tensor) -> torch.Tensor:
            proxy.grad = grad[0].detach().clone() if proxy.grad is None else proxy.grad + grad[0].detach()
            return grad

        means2d.register_hook(copy_grad)
    return proxy
