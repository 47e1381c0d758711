"""MediaPipe mesh provider: lifted vertices reproject onto the tracked landmarks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from core.face import topology
from core.gaussians.camera import project_points
from core.gaussians.mesh.mediapipe_mesh import load_mediapipe_mesh
from core.jobs.errors import BadInput
from tests.core.gaussians.fake_prepared import write_mesh_clip

W, H, N = 640, 480, 6


def write_clip(folder: Path, landmarks: np.ndarray, found: list[bool] | None = None) -> Path:
    return write_mesh_clip(folder, landmarks, W, H, found)


def synthetic_landmarks() -> np.ndarray:
    """The frontal layout moved, scaled and shifted over N frames, in pixels (z scaled like x)."""
    base = np.asarray(topology.frontal_layout(), dtype=np.float64)
    base = base - base.mean(axis=0)
    frames = []
    for i in range(N):
        scale = 180.0 + 15.0 * i
        lm = base * scale + np.array([W / 2 + 20.0 * i, H / 2 - 10.0 * i, 0.0])
        frames.append(lm)
    return np.stack(frames)


def test_vertices_project_back_onto_the_landmarks(tmp_path: Path) -> None:
    landmarks = synthetic_landmarks()
    mesh = load_mediapipe_mesh(write_clip(tmp_path / "clip", landmarks))
    assert mesh.verts.shape == (N, 478, 3) and mesh.verts.dtype == torch.float32
    assert mesh.faces.shape == (906, 3) and int(mesh.faces.max()) == 477
    assert mesh.fps == 25.0 and mesh.valid.all()
    assert float(mesh.camera.K[0, 0]) == 640.0 and float(mesh.camera.K[0, 2]) == 320.0
    assert (mesh.verts[..., 2] > 0).all()
    uv = project_points(mesh.verts.double(), mesh.camera.K.double())
    np.testing.assert_allclose(uv.numpy(), landmarks[..., :2], atol=1e-3)
    span = (mesh.verts[:, 33] - mesh.verts[:, 263]).norm(dim=-1)
    torch.testing.assert_close(span, torch.full((N,), 0.09), atol=1e-5, rtol=1e-4)
    # a bigger face in the image is nearer the camera
    depth = mesh.verts[..., 2].mean(dim=1)
    assert bool((depth[1:] < depth[:-1]).all())
    assert {"lips", "left_eye", "nose"} <= set(mesh.region_triangles)
    assert int(mesh.region_triangles["lips"].max()) < 906


def test_relative_depth_follows_mediapipe_z(tmp_path: Path) -> None:
    landmarks = synthetic_landmarks()[:1]
    mesh = load_mediapipe_mesh(write_clip(tmp_path / "clip", landmarks))
    z_px = landmarks[0, :, 2]
    Z = mesh.verts[0, :, 2].numpy()
    nearest, farthest = int(np.argmin(z_px)), int(np.argmax(z_px))
    assert Z[nearest] < Z[farthest]
    f = 640.0
    np.testing.assert_allclose(
        Z[farthest] - Z[nearest], (z_px[farthest] - z_px[nearest]) * Z.mean() / f, rtol=2e-2
    )


def test_frames_without_a_face_copy_the_nearest_tracked_frame(tmp_path: Path) -> None:
    landmarks = synthetic_landmarks()
    landmarks[2] = np.nan
    found = [True, True, True, False, True, True]
    mesh = load_mediapipe_mesh(write_clip(tmp_path / "clip", landmarks, found))
    assert mesh.valid.tolist() == [True, True, False, False, True, True]
    assert torch.isfinite(mesh.verts).all()
    torch.testing.assert_close(mesh.verts[2], mesh.verts[1])
    torch.testing.assert_close(mesh.verts[3], mesh.verts[4])


def test_missing_or_wrong_files_are_user_errors(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match=r"not a prepared clip \(no manifest\.json\)"):
        load_mediapipe_mesh(tmp_path)
    with pytest.raises(BadInput, match=r"\[N, 478, 3\]"):
        load_mediapipe_mesh(write_clip(tmp_path / "bad", np.zeros((3, 468, 3))))


def test_the_camera_is_the_one_prepare_wrote(tmp_path: Path) -> None:
    folder = write_clip(tmp_path / "clip", synthetic_landmarks())
    np.savez(folder / "poses.npz", camera=np.array([[800, 0, 300], [0, 800, 250], [0, 0, 1]], np.float32))
    K = load_mediapipe_mesh(folder, focal_fraction=1.5).camera.K
    assert (float(K[0, 0]), float(K[1, 1]), float(K[0, 2]), float(K[1, 2])) == (1200.0, 1200.0, 300.0, 250.0)
