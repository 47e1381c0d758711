"""Real spherical harmonics (degree 0..3) colour evaluation in the 3DGS convention.

``rgb = max(sum_k c_k Y_k(d) + 0.5, 0)`` with ``d`` the unit direction from the camera centre
to the Gaussian; the band order and signs are those of the reference 3DGS code (and gsplat).
"""

from __future__ import annotations

import torch
from torch import Tensor

SH_C0 = 0.28209479177387814
SH_C1 = 0.4886025119029199
SH_C2 = (
    1.0925484305920792,
    -1.0925484305920792,
    0.31539156525252005,
    -1.0925484305920792,
    0.5462742152960396,
)
SH_C3 = (
    -0.5900435899266435,
    2.890611442640554,
    -0.4570457994644658,
    0.3731763325901154,
    -0.4570457994644658,
    1.445305721320277,
    -0.5900435899266435,
)


def sh_basis(degree: int, dirs: Tensor) -> Tensor:
    """SH basis values [..., (degree+1)^2] at unit directions ``dirs`` [..., 3]."""
    if not 0 <= degree <= 3:
        raise ValueError(f"SH degree must be 0..3, got {degree}")
    x, y, z = dirs.unbind(-1)
    out = [torch.full_like(x, SH_C0)]
    if degree >= 1:
        out += [-SH_C1 * y, SH_C1 * z, -SH_C1 * x]
    if degree >= 2:
        xx, yy, zz = x * x, y * y, z * z
        out += [
            SH_C2[0] * x * y,
            SH_C2[1] * y * z,
            SH_C2[2] * (2.0 * zz - xx - yy),
            SH_C2[3] * x * z,
            SH_C2[4] * (xx - yy),
        ]
    if degree >= 3:
        out += [
            SH_C3[0] * y * (3.0 * xx - yy),
            SH_C3[1] * x * y * z,
            SH_C3[2] * y * (4.0 * zz - xx - yy),
            SH_C3[3] * z * (2.0 * zz - 3.0 * xx - 3.0 * yy),
            SH_C3[4] * x * (4.0 * zz - xx - yy),
            SH_C3[5] * z * (xx - yy),
            SH_C3[6] * x * (xx - 3.0 * yy),
        ]
    return torch.stack(out, dim=-1)


def sh_to_rgb(sh: Tensor, means: Tensor, campos: Tensor, degree: int) -> Tensor:
    """View-dependent colours [N, 3] from SH coefficients [N, K, 3], positions [N, 3], camera [3]."""
    if degree == 0:
        return torch.clamp_min(SH_C0 * sh[:, 0, :] + 0.5, 0.0)
    dirs = means - campos
    dirs = dirs / dirs.norm(dim=-1, keepdim=True).clamp_min(1e-12)
    basis = sh_basis(degree, dirs)  # [N, B]
    n_basis = basis.shape[-1]
    rgb = torch.einsum("nb,nbc->nc", basis, sh[:, :n_basis, :])
    return torch.clamp_min(rgb + 0.5, 0.0)


def rgb_to_sh0(rgb: Tensor) -> Tensor:
    """The DC coefficient [..., 3] that renders as ``rgb`` (inverse of the degree-0 case)."""
    return (rgb - 0.5) / SH_C0
