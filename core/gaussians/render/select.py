"""Choose a renderer backend (``auto`` | ``native`` | ``torch`` | ``gsplat``); log the choice and why.

``auto`` picks gsplat only when the target device is CUDA *and* a tiny rasterization through gsplat
actually runs there (importing gsplat succeeds without CUDA, and its kernels may fail to compile or
load on a given machine). On the CPU it picks the fused C++ rasterizer (:mod:`native`) when its
compiled module is built and renders a test splat; otherwise it falls back to the project's
PyTorch rasterizer, and the reason names what was missing and the command that builds it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import torch

from core.gaussians.camera import Camera, intrinsics
from core.gaussians.render import gsplat_backend, native, native_build, torch_rasterizer
from core.gaussians.render.base import GaussiansWorld, Renderer, RenderFn, RenderOptions
from core.jobs.errors import BadInput
from core.jobs.message import Text

log = logging.getLogger(__name__)
CHOICES = ("auto", "native", "torch", "gsplat")


TORCH = Renderer(name="torch", render=torch_rasterizer.render)
NATIVE = Renderer(name="native", render=native.render)
GSPLAT = Renderer(name="gsplat", render=gsplat_backend.render)


@dataclass(frozen=True)
class Selection:
    renderer: Renderer
    reason: str


def _test_render(render: RenderFn, device: torch.device, what: str) -> str | None:
    """Render one splat; ``None`` when the image is sane, else what went wrong."""
    try:
        g = GaussiansWorld(
            means=torch.tensor([[0.0, 0.0, 2.0]], device=device),
            quats=torch.tensor([[1.0, 0.0, 0.0, 0.0]], device=device),
            scales=torch.full((1, 3), 0.2, device=device),
            opacities=torch.tensor([0.9], device=device),
            sh=torch.zeros(1, 1, 3, device=device),
        )
        cam = Camera(torch.eye(4, device=device), intrinsics(16.0, 16.0, 8.0, 8.0, device=device), 16, 16)
        out = render(g, cam, RenderOptions())
        if not bool(torch.isfinite(out.colors).all()) or float(out.alphas.max()) <= 0.0:
            return f"{what} test render produced an empty or non-finite image"
    except Exception as exc:  # any failure to import, compile or launch means "not usable here"
        return f"{what} test render failed: {type(exc).__name__}: {exc}"
    return None


def probe_gsplat(device: torch.device) -> str | None:
    """``None`` when gsplat renders on ``device``, else the reason it cannot."""
    if device.type != "cuda":
        return f"device is {device.type}, gsplat needs CUDA"
    if not torch.cuda.is_available():
        return "torch.cuda.is_available() is False"
    return _test_render(gsplat_backend.render, device, "gsplat")


def probe_native(device: torch.device) -> str | None:
    """``None`` when the fused C++ rasterizer renders on ``device``, else the reason it cannot."""
    if device.type != "cpu":
        return f"device is {device.type}, the fused C++ rasterizer runs on the CPU"
    status = native.status()
    if not status.ok:
        return status.detail
    return _test_render(native.render, device, "fused C++ rasterizer")


def select_renderer(kind: str = "auto", device: torch.device | str = "cpu") -> Selection:
    """The renderer for ``kind`` on ``device``; ``gsplat``/``native`` raise :class:`BadInput` if unusable."""
    if kind not in CHOICES:
        raise BadInput(
            Text("unknown renderer {kind!r}; choose one of {choices}", kind=kind, choices=", ".join(CHOICES))
        )
    device = torch.device(device)
    if kind == "torch":
        selection = Selection(TORCH, "requested")
    elif kind == "gsplat":
        problem = probe_gsplat(device)
        if problem is not None:
            raise BadInput(
                Text(
                    "renderer 'gsplat' is not usable on {device}: {problem}. Use renderer 'torch' "
                    "(CPU) or run on a machine with CUDA and a working gsplat.",
                    device=device,
                    problem=problem,
                )
            )
        selection = Selection(GSPLAT, "requested")
    elif kind == "native":
        problem = probe_native(device)
        if problem is not None:
            raise BadInput(
                Text(
                    "renderer 'native' is not usable on {device}: {problem}. Build it with "
                    "`{build_command}`, or use renderer 'torch' or 'auto'.",
                    device=device,
                    problem=problem,
                    build_command=native_build.BUILD_COMMAND,
                )
            )
        selection = Selection(NATIVE, f"requested ({native.status().detail})")
    else:
        selection = _auto(device)
    log.info("Gaussian renderer: %s (%s)", selection.renderer.name, selection.reason)
    return selection


def _auto(device: torch.device) -> Selection:
    gsplat_problem = probe_gsplat(device)
    if gsplat_problem is None:
        return Selection(GSPLAT, "CUDA available and gsplat kernels load")
    native_problem = probe_native(device)
    if native_problem is None:
        return Selection(NATIVE, f"fused C++ CPU rasterizer, {native.status().detail}")
    if device.type == "cpu":
        return Selection(
            TORCH, f"falling back to the PyTorch rasterizer: {native_problem} ({gsplat_problem})"
        )
    return Selection(TORCH, f"falling back to the PyTorch rasterizer: {gsplat_problem}")
