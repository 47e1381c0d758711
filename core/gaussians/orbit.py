"""Orbit-camera previews of a mesh-bound avatar (the GUI viewport's render call).

The orbit is defined around the head centre (mean of the frame's vertices) by yaw and pitch in
degrees and a distance. ``front`` is the world direction from the head towards the viewer at
yaw = pitch = 0 and ``up`` the head's up direction. Defaults suit the MediaPipe provider's camera
frame (OpenCV axes: the face looks towards -z, up is -y); FLAME/VHAP worlds use ``front=(0, 0, 1)``,
``up=(0, 1, 0)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from core.gaussians.binding import BoundGaussians, world_on_mesh
from core.gaussians.camera import Camera, intrinsics, look_at
from core.gaussians.render.base import CompositeOptions, Renderer, RenderOptions
from core.gaussians.render.select import select_renderer


@dataclass(frozen=True)
class OrbitView:
    yaw_deg: float = 0.0  # positive: the camera swings towards the viewer's right
    pitch_deg: float = 0.0  # positive: the camera moves up
    distance: float | None = None  # None: fit the whole head in the view
    fov_deg: float = 30.0  # vertical field of view
    width: int = 256
    height: int = 256
    front: tuple[float, float, float] = (0.0, 0.0, -1.0)
    up: tuple[float, float, float] = (0.0, -1.0, 0.0)


def orbit_camera(center: Tensor, view: OrbitView, radius: float = 0.15) -> Camera:
    """A camera on the orbit sphere around ``center`` [3], looking at it.

    Without an explicit ``view.distance`` the camera stands where a sphere of ``radius`` around the
    centre just fits the narrower field of view, with a 10% margin.
    """
    dt, dev = center.dtype, center.device
    front = torch.tensor(view.front, dtype=dt, device=dev)
    up = torch.tensor(view.up, dtype=dt, device=dev)
    front, up = front / front.norm(), up / up.norm()
    right = torch.linalg.cross(up, front)  # viewer's right when looking at the face
    yaw, pitch = math.radians(view.yaw_deg), math.radians(view.pitch_deg)
    direction = math.cos(pitch) * (math.cos(yaw) * front + math.sin(yaw) * right) + math.sin(pitch) * up
    f = 0.5 * view.height / math.tan(math.radians(view.fov_deg) / 2)
    half_fov = math.atan(0.5 * min(view.width, view.height) / f)
    distance = view.distance if view.distance is not None else 1.1 * radius / math.sin(half_fov)
    eye = center + distance * direction
    K = intrinsics(f, f, view.width / 2.0, view.height / 2.0, device=dev).to(dt)
    return Camera(look_at(eye, center, up), K, view.width, view.height)


def render_orbit_preview(
    bound: BoundGaussians,
    verts: Tensor,
    faces: Tensor,
    view: OrbitView,
    renderer: Renderer | None = None,
    background: tuple[float, float, float] = (0.0, 0.0, 0.0),
) -> np.ndarray:
    """The avatar on one frame's mesh (``verts`` [V, 3]) seen from the orbit camera: uint8 [H, W, 3].

    Without ``renderer`` the backend :func:`select_renderer` picks for the avatar's device is used
    (the fused C++ rasterizer on a CPU where it is built, gsplat on CUDA, else PyTorch).
    """
    if renderer is None:
        renderer = select_renderer("auto", bound.local_means.device).renderer
    render_fn = renderer.render
    with torch.no_grad():
        g = world_on_mesh(bound, verts.to(bound.local_means), faces.to(bound.binding.device))
        v = verts.to(bound.local_means)
        center = v.mean(dim=0)
        cam = orbit_camera(center, view, radius=float((v - center).norm(dim=-1).max()))
        out = render_fn(
            g, cam, RenderOptions(composite=CompositeOptions(background=background), render_depth=False)
        )
    rgb = (out.colors.clamp(0.0, 1.0) * 255.0 + 0.5).to(torch.uint8)
    return np.ascontiguousarray(rgb.cpu().numpy())
