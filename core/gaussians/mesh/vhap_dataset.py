"""Reader for GaussianAvatars / VHAP-format multi-view datasets.

Layout (paths in the JSON are relative to the dataset root)::

    transforms_train.json, transforms_val.json, transforms_test.json
    images/..., fg_masks/..., flame_param/<timestep>.npz

Each ``transforms_*.json`` holds optional global intrinsics (``fl_x fl_y cx cy w h``) and a
``frames`` list; a frame has ``transform_matrix`` (camera-to-world, OpenGL/NeRF axes: x right,
y up, z backward), its own intrinsics overriding the global ones, ``file_path``,
``fg_mask_path``, ``flame_param_path``, ``timestep_index`` and ``camera_index``. Cameras are
converted to this project's OpenCV-axes :class:`~core.gaussians.camera.Camera`.

A ``flame_param`` npz holds ``translation rotation neck_pose jaw_pose eyes_pose shape expr`` and
optionally ``static_offset``; leading singleton axes are accepted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch

from core.gaussians.camera import Camera, intrinsics, viewmat_from_opengl_c2w
from core.gaussians.mesh.flame import FlameParams
from core.jobs.errors import BadInput
from core.jobs.message import Text

SPLITS = ("train", "val", "test")
INTRINSIC_KEYS = ("fl_x", "fl_y", "cx", "cy", "w", "h")


@dataclass(frozen=True)
class VhapFrame:
    split: str
    camera: Camera
    image_path: Path
    mask_path: Path | None
    flame_param_path: Path | None
    timestep_index: int
    camera_index: int


def read_split(root: Path | str, split: str) -> list[VhapFrame]:
    """The frames of ``transforms_<split>.json`` under ``root``."""
    root = Path(root)
    path = root / f"transforms_{split}.json"
    if not path.is_file():
        expected = ", ".join(f"transforms_{s}.json" for s in SPLITS)
        raise BadInput(
            Text(
                "VHAP dataset split not found: {path} (a dataset has some of {expected})",
                path=path,
                expected=expected,
            )
        )
    try:
        meta = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise BadInput(Text("{path} is not valid JSON: {exc}", path=path, exc=exc)) from exc
    frames = []
    for i, f in enumerate(meta.get("frames", [])):
        merged = {k: f.get(k, meta.get(k)) for k in INTRINSIC_KEYS}
        missing = [k for k, v in merged.items() if v is None]
        if missing or "transform_matrix" not in f or "file_path" not in f:
            what = ", ".join(missing + [k for k in ("transform_matrix", "file_path") if k not in f])
            raise BadInput(Text("{path}: frame {i} lacks {what}", path=path, i=i, what=what))
        c2w = torch.tensor(f["transform_matrix"], dtype=torch.float64)
        K = intrinsics(float(merged["fl_x"]), float(merged["fl_y"]), float(merged["cx"]), float(merged["cy"]))
        camera = Camera(viewmat_from_opengl_c2w(c2w).float(), K, int(merged["w"]), int(merged["h"]))
        frames.append(
            VhapFrame(
                split=split,
                camera=camera,
                image_path=root / f["file_path"],
                mask_path=root / f["fg_mask_path"] if f.get("fg_mask_path") else None,
                flame_param_path=root / f["flame_param_path"] if f.get("flame_param_path") else None,
                timestep_index=int(f.get("timestep_index", 0)),
                camera_index=int(f.get("camera_index", 0)),
            )
        )
    return frames


def read_dataset(root: Path | str) -> dict[str, list[VhapFrame]]:
    """Every split present under ``root`` (at least one is required)."""
    root = Path(root)
    splits = {s: read_split(root, s) for s in SPLITS if (root / f"transforms_{s}.json").is_file()}
    if not splits:
        raise BadInput(
            Text("{root} is not a VHAP/GaussianAvatars dataset: no transforms_*.json found", root=root)
        )
    return splits


def load_flame_params(path: Path | str) -> FlameParams:
    """One timestep's FLAME parameters (batch of 1)."""
    path = Path(path)
    if not path.is_file():
        raise BadInput(Text("FLAME parameter file not found: {path}", path=path))
    with np.load(path) as z:
        needed = ("translation", "rotation", "neck_pose", "jaw_pose", "eyes_pose", "shape", "expr")
        missing = [k for k in needed if k not in z.files]
        if missing:
            raise BadInput(Text("{path} lacks {missing}", path=path, missing=", ".join(missing)))

        def row(key: str) -> torch.Tensor:
            return torch.from_numpy(np.asarray(z[key], np.float32).reshape(1, -1))

        offset = None
        if "static_offset" in z.files:
            offset = torch.from_numpy(np.asarray(z["static_offset"], np.float32).reshape(-1, 3))
        return FlameParams(
            shape=row("shape"),
            expr=row("expr"),
            rotation=row("rotation"),
            neck_pose=row("neck_pose"),
            jaw_pose=row("jaw_pose"),
            eyes_pose=row("eyes_pose"),
            translation=row("translation"),
            static_offset=offset,
        )


def load_image(frame: VhapFrame) -> np.ndarray:
    """RGB float32 [H, W, 3] in [0, 1] (an alpha channel, if any, is dropped)."""
    img = cv2.imread(str(frame.image_path), cv2.IMREAD_UNCHANGED)
    if img is None:
        raise BadInput(Text("cannot read image {image}", image=frame.image_path))
    if img.ndim == 2:
        img = np.repeat(img[..., None], 3, axis=-1)
    scale = 65535.0 if img.dtype == np.uint16 else 255.0
    return np.ascontiguousarray(img[..., 2::-1]).astype(np.float32) / scale


def load_mask(frame: VhapFrame) -> np.ndarray | None:
    """Foreground mask float32 [H, W] in [0, 1], or None when the frame has none."""
    if frame.mask_path is None:
        return None
    m = cv2.imread(str(frame.mask_path), cv2.IMREAD_UNCHANGED)
    if m is None:
        raise BadInput(Text("cannot read mask {mask}", mask=frame.mask_path))
    if m.ndim == 3:
        m = m[..., -1] if m.shape[-1] == 4 else m[..., 0]
    return m.astype(np.float32) / (65535.0 if m.dtype == np.uint16 else 255.0)
