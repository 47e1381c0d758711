"""Pinhole cameras in the OpenCV convention shared by every renderer backend.

Convention (same as gsplat): camera space has x right, y down, z forward; ``viewmat`` maps
world to camera (``x_cam = R @ x_world + t``); ``K`` holds ``fx, fy, cx, cy`` in pixels and the
centre of pixel ``(i, j)`` (column, row) is at ``(i + 0.5, j + 0.5)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

# OpenGL/Blender camera axes (x right, y up, z backward) -> OpenCV (x right, y down, z forward).
_GL_TO_CV = torch.diag(torch.tensor([1.0, -1.0, -1.0, 1.0], dtype=torch.float64))


@dataclass(frozen=True)
class Camera:
    """One pinhole camera: world-to-camera ``viewmat`` [4, 4], intrinsics ``K`` [3, 3], image size."""

    viewmat: Tensor  # [4, 4] world -> camera (OpenCV axes)
    K: Tensor  # [3, 3]
    width: int
    height: int

    def __post_init__(self) -> None:
        if tuple(self.viewmat.shape) != (4, 4) or tuple(self.K.shape) != (3, 3):
            raise ValueError(
                f"viewmat must be [4,4] and K [3,3], got {tuple(self.viewmat.shape)}, {tuple(self.K.shape)}"
            )
        if self.width <= 0 or self.height <= 0:
            raise ValueError(f"image size must be positive, got {self.width}x{self.height}")

    @property
    def device(self) -> torch.device:
        return self.viewmat.device

    def to(self, device: torch.device | str, dtype: torch.dtype = torch.float32) -> Camera:
        return Camera(self.viewmat.to(device, dtype), self.K.to(device, dtype), self.width, self.height)

    def scaled(self, width: int, height: int) -> Camera:
        """The same camera rendering a ``width`` x ``height`` image (intrinsics scaled per axis)."""
        if (width, height) == (self.width, self.height):
            return self
        sx, sy = width / self.width, height / self.height
        K = self.K.clone()
        K[0, 0], K[0, 2] = K[0, 0] * sx, K[0, 2] * sx
        K[1, 1], K[1, 2] = K[1, 1] * sy, K[1, 2] * sy
        return Camera(self.viewmat, K, width, height)

    def position(self) -> Tensor:
        """Camera centre in world space [3]."""
        R, t = self.viewmat[:3, :3], self.viewmat[:3, 3]
        return -R.T @ t


def intrinsics(fx: float, fy: float, cx: float, cy: float, device: torch.device | str = "cpu") -> Tensor:
    """The 3x3 pinhole matrix [3, 3]."""
    return torch.tensor([[fx, 0.0, cx], [0.0, fy, cy], [0.0, 0.0, 1.0]], dtype=torch.float32, device=device)


def viewmat_from_opengl_c2w(c2w: Tensor) -> Tensor:
    """World-to-camera (OpenCV axes) [4, 4] from an OpenGL camera-to-world matrix [4, 4] (NeRF/VHAP)."""
    c2w_cv = c2w.to(torch.float64) @ _GL_TO_CV.to(c2w.device)
    return torch.linalg.inv(c2w_cv).to(c2w.dtype)


def look_at(eye: Tensor, target: Tensor, up: Tensor) -> Tensor:
    """World-to-camera [4, 4] (OpenCV axes) for a camera at ``eye`` [3] looking at ``target`` [3].

    ``up`` [3] is the world direction that should appear upward in the image.
    """
    forward = target - eye
    forward = forward / forward.norm()
    right = torch.linalg.cross(forward, up)
    right = right / right.norm().clamp_min(1e-12)
    down = torch.linalg.cross(forward, right)
    R = torch.stack([right, down, forward], dim=0)  # rows: camera axes in world coordinates
    view = torch.eye(4, dtype=eye.dtype, device=eye.device)
    view[:3, :3] = R
    view[:3, 3] = -R @ eye
    return view


def project_points(points_cam: Tensor, K: Tensor) -> Tensor:
    """Pixel coordinates [..., 2] of camera-space points [..., 3] (pixel centres at +0.5)."""
    uv = points_cam[..., :2] / points_cam[..., 2:3]
    return uv * torch.stack([K[0, 0], K[1, 1]]) + torch.stack([K[0, 2], K[1, 2]])
