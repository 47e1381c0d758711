"""Where a Gaussian avatar's mesh comes from: one entry per mesh source, chosen by ``data.mesh``.

* ``mediapipe``: a clip prepared from a video (``dhstudio prepare``): the MediaPipe face mesh
  tracked in every frame, lifted to 3D in an estimated camera (works out of the box);
* ``flame``: a clip imported from a VHAP/GaussianAvatars dataset (``dhstudio import-vhap``): its
  per-frame FLAME parameters posed with the user's FLAME model files (see :mod:`flame_source`).

A source gives the trainer its :class:`AvatarData` and every other user of the avatar (PLY export,
orbit preview) the clip's mesh per frame; nothing else knows which mesh an avatar is bound to.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import torch
from torch import Tensor

from core.face.prepared import PreparedClip
from core.gaussians.mesh.mediapipe_mesh import load_mediapipe_mesh
from core.gaussians.mesh.vhap_clip import is_vhap_clip
from core.gaussians.train.config import DataConfig
from core.gaussians.train.data import AvatarData, MeshTrack, build_data
from core.jobs.errors import BadInput
from core.jobs.message import Text


@dataclass
class ClipMesh:
    """A clip's mesh in every frame, in the clip's world frame (metres)."""

    verts: Tensor  # [N, V, 3] float32, N = the clip's frames
    faces: Tensor  # [T, 3] long

    @property
    def frame_count(self) -> int:
        return int(self.verts.shape[0])


class MeshSource(Protocol):
    def load_data(self, clip_dir: Path, cfg: DataConfig) -> AvatarData: ...

    def load_mesh(self, clip_dir: Path, cfg: DataConfig, device: torch.device | str = "cpu") -> ClipMesh: ...


def mesh_track(clip: PreparedClip) -> MeshTrack:
    """The clip's per-frame MediaPipe mesh (metres) in its estimated camera's frame."""
    m = load_mediapipe_mesh(clip.path)
    return MeshTrack(
        verts=m.verts.numpy().astype(np.float32),
        faces=m.faces.numpy().astype(np.int64),
        K=m.camera.K.double().numpy(),
        viewmat=m.camera.viewmat.double().numpy(),
        width=clip.width,
        height=clip.height,
    )


def _not_imported(clip_dir: Path) -> None:
    """:class:`BadInput` for a clip imported from a VHAP dataset (it has FLAME, not MediaPipe, tracking)."""
    if is_vhap_clip(clip_dir):
        raise BadInput(
            Text(
                "{clip_dir} was imported from a VHAP dataset and has FLAME tracking only; train "
                'it with data.mesh = "flame" (training_jobs/gaussian_flame.toml) or pick a '
                "prepared video clip (--clip).",
                clip_dir=clip_dir,
            )
        )


class MediaPipeSource:
    def load_data(self, clip_dir: Path, cfg: DataConfig) -> AvatarData:
        _not_imported(clip_dir)
        clip = PreparedClip.load(clip_dir)
        track = mesh_track(clip)
        return build_data(
            clip.iter_frames(), track, clip.face_boxes, clip.valid, cfg, clip.fps, Path(clip_dir)
        )

    def load_mesh(self, clip_dir: Path, cfg: DataConfig, device: torch.device | str = "cpu") -> ClipMesh:
        _not_imported(clip_dir)
        m = load_mediapipe_mesh(clip_dir, device)
        return ClipMesh(m.verts, m.faces)


def _flame_source() -> MeshSource:
    from core.gaussians.train.flame_source import FlameSource

    return FlameSource()


MESH_SOURCES = {"mediapipe": MediaPipeSource, "flame": _flame_source}


def mesh_source(cfg: DataConfig) -> MeshSource:
    if cfg.mesh not in MESH_SOURCES:
        raise BadInput(
            Text(
                "data.mesh = {mesh!r} is not a mesh source; use one of {mesh_sources}",
                mesh=cfg.mesh,
                mesh_sources=", ".join(MESH_SOURCES),
            )
        )
    return MESH_SOURCES[cfg.mesh]()


def load_clip_data(clip_dir: Path | str, cfg: DataConfig) -> AvatarData:
    """The training data of a clip from the mesh source ``cfg.mesh``."""
    return mesh_source(cfg).load_data(Path(clip_dir), cfg)


def load_clip_mesh(clip_dir: Path | str, cfg: DataConfig, device: torch.device | str = "cpu") -> ClipMesh:
    """The clip's mesh in every frame from the mesh source ``cfg.mesh``."""
    return mesh_source(cfg).load_mesh(Path(clip_dir), cfg, device)
