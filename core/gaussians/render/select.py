"""Choose a renderer backend: ``auto`` | ``torch`` | ``gsplat``; the choice and its reason are logged.

``auto`` picks gsplat only when the target device is CUDA *and* a tiny rasterization through gsplat
actually runs there (importing gsplat succeeds without CUDA, and its kernels may fail to compile or
load on a given machine); otherwise it falls back to the project's PyTorch rasterizer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import torch

from core.gaussians.camera import Camera, intrinsics
from core.gaussians.render import gsplat_backend, torch_rasterizer
from core.gaussians.render.base import GaussiansWorld, Renderer
from core.jobs.errors import BadInput

log = logging.getLogger(__name__)
CHOICES = ("auto", "torch", "gsplat")


@dataclass(frozen=True)
class Selection:
    renderer: Renderer
    reason: str


def probe_gsplat(device: torch.device) -> str | None:
    """``None`` when gsplat renders on ``device``, else the reason it cannot."""
    if device.type != "cuda":
        return f"device is {device.type}, gsplat needs CUDA"
    if not torch.cuda.is_available():
        return "torch.cuda.is_available() is False"
    try:
        g = GaussiansWorld(
            means=torch.tensor([[0.0, 0.0, 2.0]], device=device),
            quats=torch.tensor([[1.0, 0.0, 0.0, 0.0]], device=device),
            scales=torch.full((1, 3), 0.2, device=device),
            opacities=torch.tensor([0.9], device=device),
            sh=torch.zeros(1, 1, 3, device=device),
        )
        cam = Camera(torch.eye(4, device=device), intrinsics(16.0, 16.0, 8.0, 8.0, device=device), 16, 16)
        out = gsplat_backend.render(g, cam)
        if not bool(torch.isfinite(out.colors).all()) or float(out.alphas.max()) <= 0.0:
            return "gsplat test render produced an empty or non-finite image"
    except Exception as exc:  # any failure to import, compile or launch means "not usable here"
        return f"gsplat test render failed: {type(exc).__name__}: {exc}"
    return None


def select_renderer(kind: str = "auto", device: torch.device | str = "cpu") -> Selection:
    """The renderer for ``kind`` on ``device``; ``gsplat`` raises :class:`BadInput` when unusable."""
    if kind not in CHOICES:
        raise BadInput(f"unknown renderer {kind!r}; choose one of {', '.join(CHOICES)}")
    device = torch.device(device)
    torch_renderer = Renderer(name="torch", render=torch_rasterizer.render)
    if kind == "torch":
        selection = Selection(torch_renderer, "requested")
    else:
        problem = probe_gsplat(device)
        if problem is None:
            reason = "requested" if kind == "gsplat" else "CUDA available and gsplat kernels load"
            selection = Selection(Renderer(name="gsplat", render=gsplat_backend.render), reason)
        elif kind == "gsplat":
            raise BadInput(
                f"renderer 'gsplat' is not usable on {device}: {problem}. "
                "Use renderer 'torch' (CPU) or run on a machine with CUDA and a working gsplat."
            )
        else:
            selection = Selection(torch_renderer, f"falling back to the PyTorch rasterizer: {problem}")
    log.info("Gaussian renderer: %s (%s)", selection.renderer.name, selection.reason)
    return selection
