"""Load a prepared clip as Gaussian training data: frames + the MediaPipe mesh track + camera."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from core.face.prepared import PreparedClip
from core.gaussians.mesh.mediapipe_mesh import load_mediapipe_mesh
from core.gaussians.train.config import DataConfig
from core.gaussians.train.data import AvatarData, MeshTrack, build_data, select_frames


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


def load_clip_data(clip_dir: Path | str, cfg: DataConfig) -> AvatarData:
    clip = PreparedClip.load(clip_dir)
    track = mesh_track(clip)
    use, _ = select_frames(clip.valid, cfg.max_frames, cfg.holdout)
    images = clip.read_frames([int(i) for i in use])
    return build_data(images, track, clip.face_boxes, clip.valid, cfg, clip.fps, Path(clip_dir), frames=use)
