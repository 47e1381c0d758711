"""FLAME and VHAP reachable: `dhstudio import-vhap` -> train on the FLAME mesh -> eval + PLY export.

A synthetic FLAME model (a bumpy grid head with a jaw) written in the real pickle format and a
two-camera VHAP dataset whose images are renders of known Gaussians on the posed FLAME meshes.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from plyfile import PlyData

from core.gaussians.binding import init_bound_gaussians, world_on_mesh
from core.gaussians.camera import Camera, intrinsics, viewmat_from_opengl_c2w
from core.gaussians.mesh.flame import find_flame_files, flame_forward, load_flame
from core.gaussians.mesh.vhap_clip import FLAME_DIR_ENV, VhapClip
from core.gaussians.mesh.vhap_dataset import load_flame_params
from core.gaussians.render import torch_rasterizer
from core.gaussians.render.base import RenderOptions
from core.gaussians.train.bundle import AVATAR_FILE, load_bundle
from core.gaussians.train.config import DataConfig
from core.gaussians.train.render_audio import GaussianAudioRenderJob, GaussianRenderRequest
from core.gaussians.train.source import load_clip_data
from core.jobs.collector import CollectingRunner
from studio.cli.main import main
from studio.project import create_project
from tests.core.gaussians.synthetic_flame import (
    flame_dict,
    gl_c2w,
    grid_head,
    write_flame_files,
    write_flame_param,
    write_vhap_dataset,
)

N_EXPR, N_FRAMES, SIZE = 10, 6, 48
YAWS = (-0.15, 0.15)


def _flame(folder: Path, n_expr: int = N_EXPR) -> Path:
    rng = np.random.default_rng(0)
    verts, faces = grid_head()
    n = len(verts)
    rows = np.arange(n) // 6
    weights = np.zeros((n, 5))
    weights[np.arange(n), np.where(rows <= 1, 2, 0)] = 1.0  # the two bottom rows hang on the jaw
    j_reg = np.zeros((5, n))
    j_reg[0] = j_reg[1] = 1.0 / n
    j_reg[2, rows == 2] = 1.0 / 6  # the jaw hinges on the third row
    j_reg[3, [26, 27]] = j_reg[4, [28, 29]] = 0.5
    masks = {
        "lips": np.flatnonzero(rows <= 1),
        "nose": np.array([14, 15, 20, 21]),
        "left_eye_region": np.array([24, 25, 26, 30, 31, 32]),
    }
    return write_flame_files(folder, flame_dict(verts, faces, weights, j_reg, n_expr, rng), masks)


def _dataset(root: Path, flame_dir: Path) -> Path:
    model = load_flame(*find_flame_files(flame_dir))
    rng = np.random.default_rng(1)
    truth = init_bound_gaussians(int(model.faces.shape[0]), sh_degree=0, relative_scale=0.6, opacity=0.9)
    truth.sh[:, 0, :] = torch.from_numpy(rng.uniform(-1, 1, (int(model.faces.shape[0]), 3))).float()
    K = intrinsics(80.0, 80.0, SIZE / 2, SIZE / 2)
    frames: dict[str, list[dict]] = {"train": [], "test": []}
    images = {}
    for t in range(N_FRAMES):
        path = root / "flame_param" / f"{t:05d}.npz"
        write_flame_param(
            path,
            shape=np.zeros(300),
            expr=rng.normal(size=(1, N_EXPR)) * 0.5,
            rotation=np.array([[0.0, 0.05 * t, 0.0]]),
            neck_pose=np.zeros((1, 3)),
            jaw_pose=np.array([[0.08 * t, 0.0, 0.0]]),
            eyes_pose=np.zeros((1, 6)),
            translation=np.array([[0.0, 0.0, -0.01 * t]]),
        )
        verts = flame_forward(model, load_flame_params(path))[0][0]
        for cam, yaw in enumerate(YAWS):
            c2w = gl_c2w(yaw, np.array([0.5 * np.sin(yaw), 0.0, 0.5 * np.cos(yaw)]))
            camera = Camera(viewmat_from_opengl_c2w(torch.tensor(c2w)).float(), K, SIZE, SIZE)
            with torch.no_grad():
                out = torch_rasterizer.render(
                    world_on_mesh(truth, verts, model.faces), camera, RenderOptions(render_depth=False)
                )
            name = f"images/{t:05d}_{cam:02d}.png"
            images[name] = (out.colors.clamp(0, 1).numpy()[..., ::-1] * 255 + 0.5).astype(np.uint8)
            frames["test" if t == N_FRAMES - 1 else "train"].append(
                {
                    "timestep_index": t,
                    "camera_index": cam,
                    "file_path": name,
                    "flame_param_path": f"flame_param/{t:05d}.npz",
                    "transform_matrix": c2w.tolist(),
                }
            )
    meta = {"fl_x": 80.0, "fl_y": 80.0, "cx": SIZE / 2, "cy": SIZE / 2, "w": SIZE, "h": SIZE}
    return write_vhap_dataset(root, frames, meta, images)


@pytest.fixture(scope="module")
def flame_project(tmp_path_factory) -> tuple[Path, Path, Path]:
    base = tmp_path_factory.mktemp("flame")
    flame_dir = _flame(base / "flame")
    dataset = _dataset(base / "dataset", flame_dir)
    project = base / "proj"
    create_project(project, "flame")
    args = ["import-vhap", str(dataset), "--project", str(project), "--name", "head"]
    assert main([*args, "--flame-dir", str(flame_dir), "--quiet"]) == 0
    return project, dataset, flame_dir


def test_import_vhap_writes_a_clip_of_the_project(flame_project):
    project, _, _ = flame_project
    clip = VhapClip.load(project / "prepared" / "head")
    assert (clip.frame_count, clip.manifest["views"], len(clip.images)) == (N_FRAMES, 2, 2 * N_FRAMES)
    assert sorted(clip.manifest["splits"]) == ["test", "train"]
    assert all((clip.path / p).is_file() for p in clip.images)
    torch.testing.assert_close(clip.params.jaw_pose[:, 0], torch.arange(N_FRAMES) * 0.08)
    assert "head" in (project / "project.toml").read_text()


def test_flame_data_has_every_view_and_masks_on_the_mesh(flame_project):
    project, _, flame_dir = flame_project
    data = load_clip_data(
        project / "prepared" / "head", DataConfig(mesh="flame", resolution=32, flame_dir=str(flame_dir))
    )
    assert data.images.shape == (2 * N_FRAMES, 32, 32, 3) and data.verts.shape == (N_FRAMES, 36, 3)
    assert (len(data.train_ids), len(data.test_ids)) == (10, 2)
    assert {data.frame_of(int(i)) for i in data.test_ids} == {N_FRAMES - 1}  # the test split is held out
    assert not torch.equal(data.camera_of(0).viewmat, data.camera_of(1).viewmat)
    assert sorted(data.region_triangles) == ["eyes", "mouth", "nose"]
    for sample in range(len(data.images)):
        visible = data.images[sample].float().sum(-1) > 30
        mask = torch.from_numpy(data.face_mask(sample, data.camera_of(sample)))
        assert int(mask.sum()) > 150 and int((mask & ~visible).sum()) <= 0.03 * int(mask.sum())
        ij = torch.nonzero(visible).float().mean(0) - torch.nonzero(mask).float().mean(0)
        assert float(ij.abs().max()) < 2.0  # the render and the posed mesh line up in every view


def test_train_eval_and_export_on_the_flame_mesh(flame_project, tmp_path, monkeypatch):
    project, _, flame_dir = flame_project
    monkeypatch.delenv(FLAME_DIR_ENV, raising=False)
    sets = [
        "data.resolution=32",
        "train.renderer='torch'",
        "train.sh_degree=0",
        "train.preview_every=2",
        "innovations.temporal.enabled=true",
        "innovations.region_weights.enabled=true",
        "innovations.semantic_densify.enabled=true",
    ]
    argv = ["train", "training_jobs/gaussian_flame.toml", "--project", str(project), "--clip", "head"]
    argv += ["--run-name", "flame", "--max-steps", "4", "--device", "cpu", "--quiet"]
    assert main(argv + [x for s in sets for x in ("--set", s)]) == 0  # FLAME dir: the one given at import
    run = project / "runs" / "flame"
    avatar = load_bundle(run / AVATAR_FILE)
    assert avatar.config.data.mesh == "flame" and avatar.clip == (project / "prepared" / "head").resolve()
    assert int(avatar.bound.binding.max()) < 50
    scores = json.loads((run / "eval.json").read_text())
    assert scores["frames"] == 2 and scores["psnr"] > 5.0
    out = tmp_path / "ply"
    assert main(["export", str(run), "--format", "ply", "--out", str(out), "--frame", "5", "--quiet"]) == 0
    model = load_flame(*find_flame_files(flame_dir))
    clip = VhapClip.load(project / "prepared" / "head")
    verts = flame_forward(model, clip.params)[0]
    world = PlyData.read(str(out / "flame_frame00005.ply"))["vertex"]
    xyz = np.stack([np.asarray(world[k]) for k in ("x", "y", "z")], axis=-1)
    expected = world_on_mesh(avatar.bound, verts[5], model.faces).means.numpy()  # held out: no correction
    np.testing.assert_allclose(xyz, expected, atol=1e-5)
    with np.load(out / "flame_bound.mesh.npz") as mesh:
        assert mesh["verts"].shape == (N_FRAMES, 36, 3) and mesh["faces"].shape == (50, 3)
    req = GaussianRenderRequest(run, tmp_path / "a.wav", tmp_path / "o.mp4", tmp_path / "a2m", "cpu")
    res = CollectingRunner().run(GaussianAudioRenderJob(req))  # speech drives the MediaPipe mesh only
    assert res.bad_input and "MediaPipe" in res.error and not (tmp_path / "o.mp4").exists()


def test_a_mediapipe_job_on_an_imported_clip_says_which_job_to_use(flame_project, capsys):
    project, _, _ = flame_project
    argv = ["train", "training_jobs/gaussian_baseline.toml", "--project", str(project), "--clip", "head"]
    assert main([*argv, "--max-steps", "1", "--device", "cpu", "--quiet", "--set", "data.resolution=16"]) == 2
    assert "gaussian_flame.toml" in capsys.readouterr().err


def test_training_without_the_flame_files_says_where_it_looked(flame_project, tmp_path, monkeypatch, capsys):
    project, dataset, _ = flame_project
    monkeypatch.delenv(FLAME_DIR_ENV, raising=False)
    assert main(["import-vhap", str(dataset), "--project", str(project), "--name", "nofl", "--quiet"]) == 0
    argv = ["train", "training_jobs/gaussian_flame.toml", "--project", str(project), "--clip", "nofl"]
    assert main([*argv, "--max-steps", "1", "--device", "cpu", "--quiet", "--set", "data.resolution=16"]) == 2
    err = capsys.readouterr().err
    assert "generic_model.pkl" in err and FLAME_DIR_ENV in err and "data.flame_dir" in err
    monkeypatch.setenv(FLAME_DIR_ENV, str(tmp_path / "empty"))
    assert main([*argv, "--max-steps", "1", "--device", "cpu", "--quiet", "--run-name", "again"]) == 2
    assert f"{tmp_path / 'empty'} (no model file there)" in capsys.readouterr().err


def test_import_checks_the_parameters_against_the_flame_model(flame_project, tmp_path, capsys):
    project, dataset, _ = flame_project
    small = _flame(tmp_path / "flame5", n_expr=5)
    argv = [
        "import-vhap",
        str(dataset),
        "--project",
        str(project),
        "--name",
        "bad",
        "--flame-dir",
        str(small),
    ]
    assert main([*argv, "--quiet"]) == 2
    assert "300 shape / 10 expression coefficients" in capsys.readouterr().err
    assert not (project / "prepared" / "bad").exists()
