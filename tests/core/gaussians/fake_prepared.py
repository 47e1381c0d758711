"""The files of a prepared clip that `PreparedClip` reads for a mesh (no video: the mesh needs none)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np


def write_mesh_clip(
    folder: Path, landmarks: np.ndarray, width: int, height: int, found: list[bool] | None = None
) -> Path:
    n = len(landmarks)
    folder.mkdir(parents=True, exist_ok=True)
    np.save(folder / "landmarks.npy", landmarks.astype(np.float32))
    boxes = np.tile(np.array([[0, 0, width, height]], np.float32), (n, 1))
    np.savez(folder / "crops.npz", face_boxes=boxes, mouth_boxes=boxes)
    f = max(width, height)
    camera = np.array([[f, 0, width / 2], [0, f, height / 2], [0, 0, 1]], np.float32)
    np.savez(folder / "poses.npz", camera=camera)
    manifest = {
        "schema": 1,
        "name": folder.name,
        "fps": 25.0,
        "frame_count": n,
        "width": width,
        "height": height,
        "has_audio": False,
        "quality": {"face_found": found if found is not None else [True] * n},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder
