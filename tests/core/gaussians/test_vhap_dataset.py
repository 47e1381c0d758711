"""VHAP / GaussianAvatars dataset reader on a tiny dataset written here."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from core.gaussians.camera import project_points
from core.gaussians.mesh.vhap_dataset import (
    load_flame_params,
    load_image,
    load_mask,
    read_dataset,
    read_split,
)
from core.jobs.errors import BadInput
from tests.core.gaussians.synthetic_flame import gl_c2w, write_flame_param, write_vhap_dataset


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    rng = np.random.default_rng(1)
    images = {}
    for t in range(2):
        write_flame_param(
            tmp_path / "flame_param" / f"{t:05d}.npz",
            translation=rng.normal(size=(1, 3)),
            rotation=rng.normal(size=(1, 3)),
            neck_pose=np.zeros((1, 3)),
            jaw_pose=np.full((1, 3), 0.1 * t),
            eyes_pose=np.zeros((1, 6)),
            shape=rng.normal(size=300),
            expr=rng.normal(size=(1, 100)),
            static_offset=np.zeros((1, 50, 3)),
        )
    frames = []
    for t in range(2):
        for cam in range(2):
            name = f"{t:05d}_{cam:02d}.png"
            img = np.zeros((12, 16, 3), np.uint8)
            img[..., 2] = 200  # red in BGR order
            images[f"images/{name}"] = img
            mask = np.zeros((12, 16), np.uint8)
            mask[3:9, 4:12] = 255
            images[f"fg_masks/{name}"] = mask
            frame = {
                "timestep_index": t,
                "camera_index": cam,
                "file_path": f"images/{name}",
                "fg_mask_path": f"fg_masks/{name}",
                "flame_param_path": f"flame_param/{t:05d}.npz",
                "transform_matrix": gl_c2w(0.3 * cam, np.array([0.5 * cam, 0.1, 1.0])).tolist(),
            }
            if cam == 1:
                frame.update({"fl_x": 30.0, "fl_y": 31.0, "cx": 7.5, "cy": 6.0, "w": 16, "h": 12})
            frames.append(frame)
    meta = {"fl_x": 20.0, "fl_y": 21.0, "cx": 8.0, "cy": 6.5, "w": 16, "h": 12}
    return write_vhap_dataset(tmp_path, {"train": frames, "val": frames[:1]}, meta, images)


def test_reads_frames_with_global_and_per_frame_intrinsics(dataset: Path) -> None:
    splits = read_dataset(dataset)
    assert sorted(splits) == ["train", "val"] and len(splits["train"]) == 4 and len(splits["val"]) == 1
    f0, f1 = splits["train"][0], splits["train"][1]
    assert (f0.timestep_index, f0.camera_index, f1.camera_index) == (0, 0, 1)
    assert float(f0.camera.K[0, 0]) == 20.0 and float(f1.camera.K[0, 0]) == 30.0
    assert (f1.camera.width, f1.camera.height) == (16, 12)
    assert f0.image_path.is_file() and f0.mask_path is not None and f0.flame_param_path is not None


def test_opengl_cameras_project_like_the_nerf_convention(dataset: Path) -> None:
    frame = read_split(dataset, "train")[3]
    meta = json.loads((dataset / "transforms_train.json").read_text())
    c2w = np.array(meta["frames"][3]["transform_matrix"])
    point = np.array([0.2, 0.3, -0.5])
    p_gl = np.linalg.inv(c2w) @ np.append(point, 1.0)  # camera looks down -z, y up
    expected = [30.0 * p_gl[0] / -p_gl[2] + 7.5, 31.0 * -p_gl[1] / -p_gl[2] + 6.0]
    cam = frame.camera
    p_cam = cam.viewmat[:3, :3] @ torch.tensor(point, dtype=torch.float32) + cam.viewmat[:3, 3]
    assert float(p_cam[2]) > 0
    np.testing.assert_allclose(project_points(p_cam, cam.K).numpy(), expected, rtol=1e-5, atol=1e-4)
    torch.testing.assert_close(cam.position(), torch.tensor(c2w[:3, 3], dtype=torch.float32))


def test_flame_params_images_and_masks(dataset: Path) -> None:
    frame = read_split(dataset, "train")[2]
    p = load_flame_params(frame.flame_param_path)
    assert p.shape.shape == (1, 300) and p.expr.shape == (1, 100) and p.eyes_pose.shape == (1, 6)
    torch.testing.assert_close(p.jaw_pose, torch.full((1, 3), 0.1))
    assert p.static_offset is not None and p.static_offset.shape == (50, 3)
    img = load_image(frame)
    assert img.shape == (12, 16, 3) and img.dtype == np.float32
    np.testing.assert_allclose(img[0, 0], [200 / 255, 0, 0], atol=1e-6)
    mask = load_mask(frame)
    assert mask is not None and mask.shape == (12, 16) and mask.sum() == 48


def test_missing_pieces_are_user_errors(dataset: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    with pytest.raises(BadInput, match=r"transforms_test\.json"):
        read_split(dataset, "test")
    with pytest.raises(BadInput, match="no transforms"):
        read_dataset(tmp_path_factory.mktemp("empty"))
    np.savez(dataset / "flame_param" / "bad.npz", translation=np.zeros(3))
    with pytest.raises(BadInput, match="lacks rotation"):
        load_flame_params(dataset / "flame_param" / "bad.npz")
