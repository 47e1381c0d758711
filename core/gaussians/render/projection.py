"""EWA projection of 3D Gaussians to screen-space ellipses (differentiable, PyTorch).

The 3D covariance ``R S S^T R^T`` is rotated into camera space and pushed through the Jacobian of
the perspective projection (local affine approximation, Zwicker et al.), then dilated by ``eps2d``
pixels^2 (the 3DGS low-pass filter). As in 3DGS/gsplat the Jacobian is evaluated at a position
whose x/y are clamped to 1.3x the field of view, so Gaussians far off-screen keep bounded
footprints. Bounding radii are opacity-aware (gsplat): ``extend = min(3.33, sqrt(2 ln(o/alpha_min)))``
standard deviations, which is exact for the ``alpha >= alpha_min`` test with ``o <= 1``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from core.gaussians.camera import Camera
from core.gaussians.render.base import ProjectionOptions
from core.gaussians.rotations import quat_to_rotmat


@dataclass
class Projected:
    """Screen-space Gaussians (all N; culled ones have ``radii == 0``)."""

    means2d: Tensor  # [N, 2] pixels
    conics: Tensor  # [N, 3] (a, b, c): sigma = 0.5 (a dx^2 + c dy^2) + b dx dy
    depths: Tensor  # [N] camera-space z
    radii: Tensor  # [N, 2] int32 bounding half-extents in pixels, 0 = culled

    @property
    def visible(self) -> Tensor:
        return (self.radii > 0).all(dim=-1)


def covariance_3d(quats: Tensor, scales: Tensor) -> Tensor:
    """World covariances [N, 3, 3] = R diag(s)^2 R^T."""
    M = quat_to_rotmat(quats) * scales[..., None, :]
    return M @ M.transpose(-1, -2)


def project_gaussians(
    means: Tensor,  # [N, 3]
    quats: Tensor,  # [N, 4]
    scales: Tensor,  # [N, 3]
    opacities: Tensor,  # [N]
    camera: Camera,
    options: ProjectionOptions,
    alpha_min: float,
) -> Projected:
    """Project world Gaussians into ``camera``; see the module docstring for the model."""
    Rv, tv = camera.viewmat[:3, :3], camera.viewmat[:3, 3]
    means_c = means @ Rv.T + tv
    K = camera.K
    fx, fy, cx, cy = K[0, 0], K[1, 1], K[0, 2], K[1, 2]
    tz = means_c[:, 2]
    in_depth = (tz > options.near_plane) & (tz < options.far_plane)
    z = torch.where(in_depth, tz, torch.ones_like(tz))  # safe divisor for culled Gaussians
    lim_x_pos = (camera.width - cx) / fx + 0.3 * (0.5 * camera.width / fx)
    lim_x_neg = cx / fx + 0.3 * (0.5 * camera.width / fx)
    lim_y_pos = (camera.height - cy) / fy + 0.3 * (0.5 * camera.height / fy)
    lim_y_neg = cy / fy + 0.3 * (0.5 * camera.height / fy)
    tx = z * torch.clamp(means_c[:, 0] / z, min=-lim_x_neg, max=lim_x_pos)
    ty = z * torch.clamp(means_c[:, 1] / z, min=-lim_y_neg, max=lim_y_pos)
    # cov2d = J Rv R S S R^T Rv^T J^T = T T^T with T = J Rv R S [N, 2, 3]. J's zeros are written
    # out and Rv is applied as one [3, 3] x [3, 3N] product: no per-Gaussian batched matmuls,
    # which are the slowest part of this on a CPU.
    n = means.shape[0]
    M = quat_to_rotmat(quats) * scales[:, None, :]  # R S [N, 3, 3]
    V = (Rv @ M.permute(1, 0, 2).reshape(3, 3 * n)).reshape(3, n, 3)  # Rv R S, rows first [3, N, 3]
    inv_z = 1.0 / z
    T0 = (fx * inv_z)[:, None] * V[0] - (fx * tx * inv_z * inv_z)[:, None] * V[2]
    T1 = (fy * inv_z)[:, None] * V[1] - (fy * ty * inv_z * inv_z)[:, None] * V[2]
    c00 = (T0 * T0).sum(-1) + options.eps2d
    c11 = (T1 * T1).sum(-1) + options.eps2d
    c01 = (T0 * T1).sum(-1)
    det = c00 * c11 - c01 * c01
    det_safe = det.clamp_min(1e-10)
    conics = torch.stack([c11 / det_safe, -c01 / det_safe, c00 / det_safe], dim=-1)
    means2d = torch.stack([fx * means_c[:, 0] / z + cx, fy * means_c[:, 1] / z + cy], dim=-1)

    with torch.no_grad():
        o = opacities.clamp(max=1.0)
        enough = o >= alpha_min
        extend = torch.sqrt(2.0 * torch.log(o.clamp_min(alpha_min) / alpha_min)).clamp(max=3.33)
        rx = torch.ceil(extend * torch.sqrt(c00.clamp_min(0.0)))
        ry = torch.ceil(extend * torch.sqrt(c11.clamp_min(0.0)))
        mx, my = means2d[:, 0], means2d[:, 1]
        inside = (mx + rx > 0) & (mx - rx < camera.width) & (my + ry > 0) & (my - ry < camera.height)
        keep = in_depth & (det > 0) & enough & inside & (rx > 0) & (ry > 0)
        radii = torch.stack([rx, ry], dim=-1) * keep[:, None]
    return Projected(means2d=means2d, conics=conics, depths=tz, radii=radii.to(torch.int32))
