"""PLY files in the standard 3DGS layout, plus ``binding_0`` and a companion mesh sequence.

Vertex properties (all float32 except ``binding_0``, int32), as the reference 3DGS code writes them
and common viewers (SuperSplat, the antimatter15 / gsplat.js viewers, ...) read them:

    x y z  nx ny nz (zeros)  f_dc_0..2  f_rest_0..3(K-1)-1  opacity (logit)  scale_0..2 (log)
    rot_0..3 (quaternion w x y z)  binding_0 (triangle index)

``f_rest`` is channel-major: all higher-band coefficients of red, then green, then blue.

Two flavours, told apart by a ``dhstudio_space`` header comment:

* ``world``: the Gaussians of one frame in world space; viewable as-is.
* ``local``: the bound (triangle-frame) parameters; ``x y z`` are local offsets, ``scale_*`` the
  log scales relative to the triangle, ``rot_*`` the local rotations. The mesh sequence needed to
  re-animate them is written next to it as ``<name>.mesh.npz`` (``verts`` [T, V, 3], ``faces``
  [F, 3]).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from plyfile import PlyData, PlyElement

from core.gaussians.binding import BoundGaussians, world_on_mesh
from core.gaussians.render.base import GaussiansWorld
from core.io.atomic import atomic_open, write_bytes
from core.jobs.errors import BadInput
from core.jobs.message import Text

SPACE_COMMENT = "dhstudio_space"


@dataclass
class PlyGaussians:
    """The raw (pre-activation) columns of a 3DGS PLY file."""

    xyz: np.ndarray  # [N, 3]
    sh: np.ndarray  # [N, K, 3]
    opacity_logits: np.ndarray  # [N]
    log_scales: np.ndarray  # [N, 3]
    quats: np.ndarray  # [N, 4]
    binding: np.ndarray | None  # [N] int, or None when the file has no binding_0
    space: str  # "world" or "local"


@dataclass
class MeshSequence:
    verts: np.ndarray  # [T, V, 3]
    faces: np.ndarray  # [F, 3]


def mesh_path(ply_path: Path | str) -> Path:
    ply_path = Path(ply_path)
    return ply_path.with_name(ply_path.stem + ".mesh.npz")


def write_ply(path: Path | str, g: PlyGaussians) -> None:
    """Write ``g`` atomically in the layout described in the module docstring."""
    n, k = g.sh.shape[0], g.sh.shape[1]
    columns: list[tuple[str, np.ndarray, str]] = []
    for i, axis in enumerate("xyz"):
        columns.append((axis, g.xyz[:, i], "f4"))
    for axis in ("nx", "ny", "nz"):
        columns.append((axis, np.zeros(n, np.float32), "f4"))
    for c in range(3):
        columns.append((f"f_dc_{c}", g.sh[:, 0, c], "f4"))
    rest = np.transpose(g.sh[:, 1:, :], (0, 2, 1)).reshape(n, 3 * (k - 1))
    for i in range(rest.shape[1]):
        columns.append((f"f_rest_{i}", rest[:, i], "f4"))
    columns.append(("opacity", g.opacity_logits, "f4"))
    for i in range(3):
        columns.append((f"scale_{i}", g.log_scales[:, i], "f4"))
    for i in range(4):
        columns.append((f"rot_{i}", g.quats[:, i], "f4"))
    if g.binding is not None:
        columns.append(("binding_0", g.binding, "i4"))
    data = np.empty(n, dtype=[(name, dt) for name, _, dt in columns])
    for name, values, _ in columns:
        data[name] = values
    ply = PlyData(
        [PlyElement.describe(data, "vertex")],
        text=False,
        byte_order="<",
        comments=[f"{SPACE_COMMENT} {g.space}"],
    )
    with atomic_open(path) as fh:
        ply.write(fh)


def read_ply(path: Path | str) -> PlyGaussians:
    """Read a 3DGS PLY (ours or any standard one; files without a space comment count as world)."""
    path = Path(path)
    if not path.is_file():
        raise BadInput(Text("PLY file not found: {path}", path=path))
    ply = PlyData.read(str(path))
    v = ply["vertex"].data
    names = set(v.dtype.names or ())
    required = {
        "x",
        "y",
        "z",
        "f_dc_0",
        "f_dc_1",
        "f_dc_2",
        "opacity",
        "scale_0",
        "scale_1",
        "scale_2",
        "rot_0",
        "rot_1",
        "rot_2",
        "rot_3",
    }
    if not required <= names:
        raise BadInput(
            Text(
                "{path} is not a 3DGS PLY: missing {missing}",
                path=path,
                missing=", ".join(sorted(required - names)),
            )
        )
    n = len(v)
    n_rest = len([p for p in names if p.startswith("f_rest_")])
    k = 1 + n_rest // 3
    sh = np.zeros((n, k, 3), np.float32)
    sh[:, 0, :] = np.stack([v[f"f_dc_{c}"] for c in range(3)], axis=-1)
    if n_rest:
        rest = np.stack([v[f"f_rest_{i}"] for i in range(n_rest)], axis=-1).reshape(n, 3, k - 1)
        sh[:, 1:, :] = np.transpose(rest, (0, 2, 1))
    space = "world"
    for comment in ply.comments:
        if comment.startswith(SPACE_COMMENT):
            space = comment.split()[-1]
    return PlyGaussians(
        xyz=np.stack([v["x"], v["y"], v["z"]], axis=-1).astype(np.float32),
        sh=sh,
        opacity_logits=np.asarray(v["opacity"], np.float32),
        log_scales=np.stack([v[f"scale_{i}"] for i in range(3)], axis=-1).astype(np.float32),
        quats=np.stack([v[f"rot_{i}"] for i in range(4)], axis=-1).astype(np.float32),
        binding=np.asarray(v["binding_0"], np.int64) if "binding_0" in names else None,
        space=space,
    )


def _np(t: torch.Tensor) -> np.ndarray:
    return t.detach().cpu().numpy().astype(np.float32)


def save_world_ply(path: Path | str, g: GaussiansWorld, binding: torch.Tensor | None = None) -> None:
    """World-space Gaussians (activated) -> PLY with logit opacities and log scales."""
    op = g.opacities.detach().clamp(1e-6, 1 - 1e-6)
    quats = g.quats.detach() / g.quats.detach().norm(dim=-1, keepdim=True)
    write_ply(
        path,
        PlyGaussians(
            xyz=_np(g.means),
            sh=_np(g.sh),
            opacity_logits=_np(torch.log(op / (1 - op))),
            log_scales=_np(torch.log(g.scales.detach())),
            quats=_np(quats),
            binding=None if binding is None else binding.detach().cpu().numpy().astype(np.int32),
            space="world",
        ),
    )


def load_world_ply(path: Path | str, device: torch.device | str = "cpu") -> GaussiansWorld:
    """A world-space PLY -> activated Gaussians."""
    p = read_ply(path)
    if p.space != "world":
        raise BadInput(
            Text(
                "{path} holds {space}-space Gaussians; load it with load_bound_ply", path=path, space=p.space
            )
        )
    t = {
        k: torch.from_numpy(getattr(p, k)).to(device)
        for k in ("xyz", "sh", "opacity_logits", "log_scales", "quats")
    }
    return GaussiansWorld(
        means=t["xyz"],
        quats=t["quats"],
        scales=torch.exp(t["log_scales"]),
        opacities=torch.sigmoid(t["opacity_logits"]),
        sh=t["sh"],
    )


def export_frame_ply(
    path: Path | str, bound: BoundGaussians, verts: torch.Tensor, faces: torch.Tensor
) -> None:
    """The avatar posed on one frame's mesh (``verts`` [V, 3]) as a viewable world-space PLY."""
    with torch.no_grad():
        g = world_on_mesh(bound, verts.to(bound.local_means), faces.to(bound.binding.device))
    save_world_ply(path, g, binding=bound.binding)


def save_bound_ply(path: Path | str, bound: BoundGaussians, mesh: MeshSequence) -> None:
    """Bound parameters as a local-space PLY plus ``<name>.mesh.npz`` for re-animation."""
    if bound.count and int(bound.binding.max()) >= mesh.faces.shape[0]:
        raise ValueError("binding refers to a triangle the mesh does not have")
    buf = io.BytesIO()
    np.savez_compressed(buf, verts=mesh.verts.astype(np.float32), faces=mesh.faces.astype(np.int32))
    write_bytes(mesh_path(path), buf.getvalue())
    write_ply(
        path,
        PlyGaussians(
            xyz=_np(bound.local_means),
            sh=_np(bound.sh),
            opacity_logits=_np(bound.opacity_logits),
            log_scales=_np(bound.log_scales),
            quats=_np(bound.local_quats),
            binding=bound.binding.detach().cpu().numpy().astype(np.int32),
            space="local",
        ),
    )


def load_bound_ply(
    path: Path | str, device: torch.device | str = "cpu"
) -> tuple[BoundGaussians, MeshSequence]:
    """Inverse of :func:`save_bound_ply`."""
    p = read_ply(path)
    if p.space != "local" or p.binding is None:
        raise BadInput(Text("{path} is not a bound (local-space) avatar PLY with binding_0", path=path))
    companion = mesh_path(path)
    if not companion.is_file():
        raise BadInput(
            Text("mesh sequence for {path} not found: expected {companion}", path=path, companion=companion)
        )
    with np.load(companion, allow_pickle=False) as z:
        mesh = MeshSequence(verts=z["verts"], faces=z["faces"].astype(np.int64))

    def t(a: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(a).to(device)

    bound = BoundGaussians(
        local_means=t(p.xyz),
        local_quats=t(p.quats),
        log_scales=t(p.log_scales),
        opacity_logits=t(p.opacity_logits),
        sh=t(p.sh),
        binding=t(p.binding),
    )
    return bound, mesh
