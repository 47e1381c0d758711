"""FLAME head model: user-supplied model files, linear blend skinning, region masks.

FLAME (Li et al. 2017) is licensed and must be downloaded by the user from flame.is.tue.mpg.de.
We read ``flame2023.pkl`` (preferred) or ``generic_model.pkl`` and ``FLAME_masks.pkl`` with the
restricted unpickler of :mod:`flame_pickle`.

Model: ``v = LBS(v_template + static_offset + S @ shape + E @ expr + P @ pose_feature)`` with 5
joints (0 global/root, 1 neck, 2 jaw, 3 left eye, 4 right eye) driven by axis-angle rotations, then
a global translation. ``pose_feature`` is ``(R_j - I)`` of joints 1..4 flattened (36 values), as in
the original FLAME/SMPL code. Shape coefficients index the first 300 columns of ``shapedirs`` and
expression coefficients the columns from 300 on. (VHAP additionally adds teeth vertices; we use
the plain FLAME topology.)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from core.gaussians.mesh.flame_pickle import load_restricted_pickle
from core.jobs.errors import BadInput
from core.jobs.message import Text

MODEL_FILES = ("flame2023.pkl", "generic_model.pkl")
MASKS_FILE = "FLAME_masks.pkl"
N_SHAPE_BASIS = 300  # columns of shapedirs that are identity shape; the rest are expression
REQUIRED_KEYS = ("v_template", "shapedirs", "posedirs", "J_regressor", "weights", "kintree_table", "f")


@dataclass
class FlameModel:
    """FLAME tensors (V vertices, F faces, J = 5 joints)."""

    v_template: Tensor  # [V, 3]
    shapedirs: Tensor  # [V, 3, S + E]
    posedirs: Tensor  # [V, 3, 36]
    J_regressor: Tensor  # [J, V]
    weights: Tensor  # [V, J]
    parents: list[int]  # [J], -1 for the root
    faces: Tensor  # [F, 3] long
    masks: dict[str, Tensor]  # region name -> vertex indices

    @property
    def n_shape(self) -> int:
        return min(N_SHAPE_BASIS, self.shapedirs.shape[-1])

    @property
    def n_expr(self) -> int:
        return self.shapedirs.shape[-1] - self.n_shape

    def to(self, device: torch.device | str) -> FlameModel:
        return FlameModel(
            self.v_template.to(device),
            self.shapedirs.to(device),
            self.posedirs.to(device),
            self.J_regressor.to(device),
            self.weights.to(device),
            list(self.parents),
            self.faces.to(device),
            {k: v.to(device) for k, v in self.masks.items()},
        )


@dataclass
class FlameParams:
    """Per-frame FLAME parameters, batch B (shapes as in VHAP's ``flame_param/*.npz``)."""

    shape: Tensor  # [B, n_shape] (or [n_shape], shared)
    expr: Tensor  # [B, n_expr]
    rotation: Tensor  # [B, 3] global axis-angle
    neck_pose: Tensor  # [B, 3]
    jaw_pose: Tensor  # [B, 3]
    eyes_pose: Tensor  # [B, 6] left then right eye
    translation: Tensor  # [B, 3]
    static_offset: Tensor | None = None  # [V, 3] or [B, V, 3]


def find_flame_files(folder: Path | str) -> tuple[Path, Path | None]:
    """(model file, masks file or None) in ``folder``; :class:`BadInput` naming what is missing."""
    folder = Path(folder)
    for name in MODEL_FILES:
        if (folder / name).is_file():
            masks = folder / MASKS_FILE
            return folder / name, masks if masks.is_file() else None
    raise BadInput(
        Text(
            "no FLAME model in {folder}: expected {model_files} (download it from "
            "flame.is.tue.mpg.de after accepting the licence) and optionally FLAME_masks.pkl",
            folder=folder,
            model_files=" or ".join(MODEL_FILES),
        )
    )


def load_flame(
    model_path: Path | str, masks_path: Path | str | None = None, dtype: torch.dtype = torch.float32
) -> FlameModel:
    """Read a FLAME model file (and masks) into tensors."""
    raw = load_restricted_pickle(model_path)
    if not isinstance(raw, dict):
        raise BadInput(
            Text(
                "{model_path} is not a FLAME model file (top level is {error_type})",
                model_path=model_path,
                error_type=type(raw).__name__,
            )
        )
    missing = [k for k in REQUIRED_KEYS if k not in raw]
    if missing:
        raise BadInput(
            Text(
                "{model_path} is not a FLAME model file: missing {missing}",
                model_path=model_path,
                missing=", ".join(missing),
            )
        )

    def t(key: str) -> Tensor:
        return torch.as_tensor(np.asarray(raw[key], dtype=np.float64), dtype=dtype)

    kintree = np.asarray(raw["kintree_table"]).astype(np.int64)
    parents = [int(p) if i > 0 else -1 for i, p in enumerate(kintree[0])]
    masks: dict[str, Tensor] = {}
    if masks_path is not None:
        raw_masks = load_restricted_pickle(masks_path)
        if not isinstance(raw_masks, dict):
            raise BadInput(Text("{masks_path} is not a FLAME masks file", masks_path=masks_path))
        masks = {str(k): torch.as_tensor(np.asarray(v, dtype=np.int64)) for k, v in raw_masks.items()}
    return FlameModel(
        v_template=t("v_template"),
        shapedirs=t("shapedirs"),
        posedirs=t("posedirs"),
        J_regressor=t("J_regressor"),
        weights=t("weights"),
        parents=parents,
        faces=torch.as_tensor(np.asarray(raw["f"], dtype=np.int64)),
        masks=masks,
    )


def axis_angle_to_rotmat(aa: Tensor) -> Tensor:
    """Rodrigues: rotation matrices [..., 3, 3] from axis-angle vectors [..., 3]."""
    angle = aa.norm(dim=-1, keepdim=True)
    safe = torch.where(angle > 1e-8, angle, torch.ones_like(angle))
    axis = aa / safe
    x, y, z = axis.unbind(-1)
    zero = torch.zeros_like(x)
    K = torch.stack([zero, -z, y, z, zero, -x, -y, x, zero], dim=-1).reshape((*aa.shape[:-1], 3, 3))
    s, c = torch.sin(angle)[..., None], torch.cos(angle)[..., None]
    eye = torch.eye(3, dtype=aa.dtype, device=aa.device).expand_as(K)
    R = eye + s * K + (1 - c) * (K @ K)
    small = (angle[..., 0] <= 1e-8)[..., None, None]
    return torch.where(small, eye + K * angle[..., None], R)


def flame_forward(model: FlameModel, p: FlameParams) -> tuple[Tensor, Tensor]:
    """Posed vertices [B, V, 3] and joint positions [B, J, 3] (parameters cast to the model's dtype)."""
    p = _cast(p, model.v_template)
    B = p.expr.shape[0] if p.expr.dim() == 2 else 1
    shape = p.shape.expand(B, -1) if p.shape.dim() == 1 else p.shape
    expr = p.expr.reshape(B, -1)
    if shape.shape[-1] > model.n_shape or expr.shape[-1] > model.n_expr:
        raise ValueError(
            f"model has {model.n_shape} shape / {model.n_expr} expression bases, got "
            f"{shape.shape[-1]} / {expr.shape[-1]} coefficients"
        )
    dirs_s = model.shapedirs[..., : shape.shape[-1]]
    dirs_e = model.shapedirs[..., model.n_shape : model.n_shape + expr.shape[-1]]
    v = model.v_template + torch.einsum("vck,bk->bvc", dirs_s, shape)
    v = v + torch.einsum("vck,bk->bvc", dirs_e, expr)
    if p.static_offset is not None:
        v = v + p.static_offset
    joints = torch.einsum("jv,bvc->bjc", model.J_regressor, v)
    pose = torch.cat([p.rotation, p.neck_pose, p.jaw_pose, p.eyes_pose[:, :3], p.eyes_pose[:, 3:]], dim=-1)
    R = axis_angle_to_rotmat(pose.reshape(B, -1, 3))  # [B, J, 3, 3]
    eye = torch.eye(3, dtype=R.dtype, device=R.device)
    pose_feature = (R[:, 1:] - eye).reshape(B, -1)
    v = v + torch.einsum("vck,bk->bvc", model.posedirs, pose_feature)

    # rigid transforms along the kinematic chain
    world_R, world_t = [], []
    for j, parent in enumerate(model.parents):
        if parent < 0:
            world_R.append(R[:, j])
            world_t.append(joints[:, j])
        else:
            world_R.append(world_R[parent] @ R[:, j])
            rel = (joints[:, j] - joints[:, parent])[..., None]
            world_t.append((world_R[parent] @ rel)[..., 0] + world_t[parent])
    Rw = torch.stack(world_R, dim=1)  # [B, J, 3, 3]
    tw = torch.stack(world_t, dim=1)  # [B, J, 3] posed joint positions
    t_skin = tw - (Rw @ joints[..., None])[..., 0]  # transforms relative to the rest pose
    Rv = torch.einsum("vj,bjrc->bvrc", model.weights, Rw)
    tv = torch.einsum("vj,bjc->bvc", model.weights, t_skin)
    verts = (Rv @ v[..., None])[..., 0] + tv + p.translation[:, None, :]
    return verts, tw + p.translation[:, None, :]


def _cast(p: FlameParams, like: Tensor) -> FlameParams:
    fields = {k: (None if v is None else v.to(like)) for k, v in vars(p).items()}
    return FlameParams(**fields)


def region_vertex_mask(model: FlameModel, names: list[str] | tuple[str, ...]) -> Tensor:
    """Boolean [V] mask of the union of the named regions (e.g. ``("lips", "nose")``)."""
    unknown = [n for n in names if n not in model.masks]
    if unknown:
        have = ", ".join(sorted(model.masks)) or "none (FLAME_masks.pkl not loaded)"
        raise BadInput(
            Text(
                "unknown FLAME region(s) {unknown}; available: {have}", unknown=", ".join(unknown), have=have
            )
        )
    mask = torch.zeros(model.v_template.shape[0], dtype=torch.bool, device=model.v_template.device)
    for n in names:
        mask[model.masks[n]] = True
    return mask


def region_face_mask(model: FlameModel, names: list[str] | tuple[str, ...]) -> Tensor:
    """Boolean [F] mask: triangles whose three vertices all lie in the named regions."""
    return region_vertex_mask(model, names)[model.faces].all(dim=-1)
