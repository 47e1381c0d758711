"""Brute-force reference renderer: per pixel, every Gaussian, front to back. Tests only.

Deliberately simple and slow: no tiles, no bounding boxes, no vectorised transmittance. It loops
over the depth-sorted Gaussians and updates every pixel's transmittance with the sequential 3DGS
rule written out literally (see :mod:`core.gaussians.render.base`), so it is easy to check by eye.
The projection is written independently of :mod:`projection` with explicit 3x3 matrices.
"""

from __future__ import annotations

import torch
from torch import Tensor

from core.gaussians.camera import Camera
from core.gaussians.render.base import GaussiansWorld, RenderOptions, RenderOutput, active_sh_degree
from core.gaussians.render.sh import sh_to_rgb


def _rotation(q: Tensor) -> Tensor:
    w, x, y, z = (q / q.norm()).unbind()
    return torch.stack(
        [
            torch.stack([1 - 2 * y * y - 2 * z * z, 2 * x * y - 2 * w * z, 2 * x * z + 2 * w * y]),
            torch.stack([2 * x * y + 2 * w * z, 1 - 2 * x * x - 2 * z * z, 2 * y * z - 2 * w * x]),
            torch.stack([2 * x * z - 2 * w * y, 2 * y * z + 2 * w * x, 1 - 2 * x * x - 2 * y * y]),
        ]
    )


def render_reference(g: GaussiansWorld, camera: Camera, options: RenderOptions | None = None) -> RenderOutput:
    """Reference image for small scenes (tens of Gaussians, tiny images)."""
    options = options or RenderOptions()
    po, co = options.projection, options.composite
    W, H = camera.width, camera.height
    K = camera.K
    Rv, tv = camera.viewmat[:3, :3], camera.viewmat[:3, 3]
    ys, xs = torch.meshgrid(torch.arange(H, dtype=K.dtype), torch.arange(W, dtype=K.dtype), indexing="ij")
    px, py = xs.flatten() + 0.5, ys.flatten() + 0.5
    colors = sh_to_rgb(g.sh, g.means, camera.position(), active_sh_degree(g.sh, options.sh_degree))

    splats = []  # (depth, index, mean2d, inverse covariance) of each Gaussian in front of the camera
    for i in range(g.count):
        p = Rv @ g.means[i] + tv
        if not po.near_plane < p[2].item() < po.far_plane or g.opacities[i].item() < co.alpha_min:
            continue
        R = _rotation(g.quats[i])
        cov_world = R @ torch.diag(g.scales[i] ** 2) @ R.T
        cov_cam = Rv @ cov_world @ Rv.T
        fx, fy, cx, cy = K[0, 0], K[1, 1], K[0, 2], K[1, 2]
        # Jacobian at the (FOV-clamped) mean, as 3DGS does
        lim = [
            (W - cx) / fx + 0.15 * W / fx,
            cx / fx + 0.15 * W / fx,
            (H - cy) / fy + 0.15 * H / fy,
            cy / fy + 0.15 * H / fy,
        ]
        tx = p[2] * torch.clamp(p[0] / p[2], min=-lim[1], max=lim[0])
        ty = p[2] * torch.clamp(p[1] / p[2], min=-lim[3], max=lim[2])
        zero = torch.zeros((), dtype=p.dtype)
        J = torch.stack(
            [
                torch.stack([fx / p[2], zero, -fx * tx / p[2] ** 2]),
                torch.stack([zero, fy / p[2], -fy * ty / p[2] ** 2]),
            ]
        )
        cov2d = J @ cov_cam @ J.T + po.eps2d * torch.eye(2, dtype=p.dtype)
        if torch.linalg.det(cov2d).item() <= 0:
            continue
        mean2d = torch.stack([fx * p[0] / p[2] + cx, fy * p[1] / p[2] + cy])
        splats.append((p[2].item(), i, mean2d, torch.linalg.inv(cov2d), p[2]))
    splats.sort(key=lambda s: (s[0], s[1]))

    T = torch.ones(H * W, dtype=K.dtype)
    done = torch.zeros(H * W, dtype=torch.bool)
    rgb = torch.zeros(H * W, 3, dtype=K.dtype)
    depth = torch.zeros(H * W, dtype=K.dtype)
    for _, i, mean2d, inv_cov, z in splats:
        d = torch.stack([px - mean2d[0], py - mean2d[1]], dim=-1)  # [P, 2]
        sigma = 0.5 * torch.einsum("pi,ij,pj->p", d, inv_cov, d)
        alpha = torch.clamp(g.opacities[i] * torch.exp(-sigma), max=co.alpha_max)
        used = (alpha >= co.alpha_min) & (sigma >= 0) & ~done
        next_T = T * (1 - alpha)
        finished = used & (next_T <= co.transmittance_min)
        done = done | finished
        used = used & ~finished
        weight = torch.where(used, alpha * T, torch.zeros_like(T))
        rgb = rgb + weight[:, None] * colors[i]
        depth = depth + weight * z
        T = torch.where(used, next_T, T)
    alphas = (1 - T).reshape(H, W, 1)
    bg = torch.tensor(co.background, dtype=K.dtype)
    out = rgb.reshape(H, W, 3) + T.reshape(H, W, 1) * bg
    return RenderOutput(
        colors=out,
        alphas=alphas,
        depth=depth.reshape(H, W, 1) / alphas.clamp_min(1e-10),
        meta={"backend": "reference"},
    )
