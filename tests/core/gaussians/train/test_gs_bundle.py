"""avatar.pt: the clip stored relative to the project, old bundles still read, corrections in PLY export."""

from __future__ import annotations

import dataclasses
import shutil

import numpy as np
import pytest
import torch
from plyfile import PlyData
from scipy.spatial.transform import Rotation

from core.face import topology
from core.gaussians.binding import init_bound_gaussians, world_on_mesh
from core.gaussians.mesh.mediapipe_mesh import load_mediapipe_mesh
from core.gaussians.train.bundle import AVATAR_FILE, load_bundle, save_bundle
from core.gaussians.train.config import GaussianConfig
from core.gaussians.train.export_ply import export_run_ply
from core.gaussians.train.state import create_state
from core.gaussians.train.strategies.factory import build_strategy
from core.train.checkpoint import load_checkpoint
from core.train.run_folder import RunFolder
from tests.core.gaussians.fake_prepared import write_mesh_clip


def _clip(folder):
    """The two files the MediaPipe mesh provider reads: manifest and landmarks (3 frames)."""
    folder.mkdir(parents=True)
    layout = np.asarray(topology.frontal_layout(), np.float32)
    frames = np.stack([layout * 150.0 + np.array([100.0 + 5 * i, 110.0, 0.0], np.float32) for i in range(3)])
    frames[..., 2] = layout[None, :, 2] * 150.0
    write_mesh_clip(folder, frames, 320, 320)
    return folder


def _bundle(run_dir, innovations):
    RunFolder(run_dir).create("gaussian", {"kind": "gaussian"})
    torch.manual_seed(0)
    bound = init_bound_gaussians(906, sh_degree=1)
    bound.local_means.normal_(0.0, 0.3)
    state = {
        "version": 2,
        "bound": bound.tensors(),
        "config": GaussianConfig().model_dump_json(),
        "clip": "prepared/clip",
        "clip_base": "project",
        "clip_name": "clip",
        "sh_degree": 1,
        "steps": 0,
        "train_seconds": 0.0,
        "innovations": innovations,
    }
    torch.save(state, run_dir / AVATAR_FILE)
    return bound


def _xyz(path):
    v = PlyData.read(str(path))["vertex"]
    return np.stack([np.asarray(v[k], np.float64) for k in ("x", "y", "z")], axis=-1)


def test_ply_export_poses_the_avatar_on_the_corrected_mesh(tmp_path):
    project = tmp_path / "proj"
    clip = _clip(project / "prepared" / "clip")
    extent = 0.5
    params = torch.zeros(3, 6)
    params[1, 3:] = torch.tensor([0.02, 0.03, 0.0])  # frame 1: a pure translation
    params[2] = torch.tensor([0.05, -0.1, 0.02, 0.1, 0.0, -0.05])  # frame 2: rotation and translation
    corrected = {"temporal": {"params": params, "frames": torch.arange(3), "extent": extent}}
    bound = _bundle(project / "runs" / "fixed", corrected)
    _bundle(project / "runs" / "plain", {})
    out = tmp_path / "out"
    for frame in (1, 2):
        fixed = export_run_ply(project / "runs" / "fixed", out, frame=frame)
        plain = export_run_ply(project / "runs" / "plain", out, frame=frame)
        verts = load_mediapipe_mesh(clip).verts[frame].double().numpy()
        p = params[frame].double().numpy()
        centre = verts.mean(axis=0)
        want = (verts - centre) @ Rotation.from_rotvec(p[:3]).as_matrix().T + centre + p[3:] * extent
        expected = world_on_mesh(
            bound,
            torch.from_numpy(want).float(),
            torch.from_numpy(np.asarray(topology.triangles(fill_holes=True, irises=True), np.int64)),
        ).means.numpy()
        got, uncorrected = _xyz(fixed[0]), _xyz(plain[0])
        np.testing.assert_allclose(got, expected, atol=2e-6)
        assert np.abs(got - uncorrected).max() > 1e-3  # the correction is not a no-op
        if frame == 1:  # a translation moves every Gaussian by exactly the saved correction
            np.testing.assert_allclose(got - uncorrected, np.tile(p[3:] * extent, (len(got), 1)), atol=2e-6)
        with np.load(fixed[2]) as mesh:  # the re-animation sequence is corrected too
            np.testing.assert_allclose(mesh["verts"][frame], want, atol=2e-6)
            np.testing.assert_allclose(
                mesh["verts"][0], load_mediapipe_mesh(clip).verts[0].numpy(), atol=1e-6
            )


def test_bundle_stores_the_clip_relative_to_the_project_and_survives_a_move(tmp_path, avatar_data):
    project = tmp_path / "proj"
    clip = project / "prepared" / "talk"
    clip.mkdir(parents=True)
    data = dataclasses.replace(avatar_data, clip_path=clip)
    cfg = GaussianConfig.model_validate({"data": {"resolution": 32}, "train": {"sh_degree": 0}})
    st = create_state(cfg, data, build_strategy(cfg, 10), torch.device("cpu"))
    run = project / "runs" / "r1"
    run.mkdir(parents=True)
    save_bundle(run / AVATAR_FILE, st, data, cfg)
    raw = load_checkpoint(run / AVATAR_FILE)
    assert (raw["clip"], raw["clip_base"], raw["clip_name"]) == ("prepared/talk", "project", "talk")
    moved = tmp_path / "elsewhere" / "proj"
    shutil.move(str(project), str(moved))
    assert load_bundle(moved / "runs" / "r1" / AVATAR_FILE).clip == (moved / "prepared" / "talk").resolve()


def test_a_clip_outside_the_project_is_stored_relative_to_the_run(tmp_path, avatar_data):
    clip = tmp_path / "clips" / "talk"
    data = dataclasses.replace(avatar_data, clip_path=clip)
    cfg = GaussianConfig.model_validate({"data": {"resolution": 32}, "train": {"sh_degree": 0}})
    st = create_state(cfg, data, build_strategy(cfg, 10), torch.device("cpu"))
    run = tmp_path / "suite" / "runs" / "a"
    run.mkdir(parents=True)
    save_bundle(run / AVATAR_FILE, st, data, cfg)
    raw = load_checkpoint(run / AVATAR_FILE)
    assert raw["clip_base"] == "run" and not raw["clip"].startswith("/")
    assert load_bundle(run / AVATAR_FILE).clip.resolve() == clip.resolve()


def test_version_1_bundles_are_still_read(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    bound = init_bound_gaussians(10, sh_degree=0)
    cfg = GaussianConfig.model_validate({"innovations": {"color_calibration": {"enabled": True}}})
    from core.gaussians.train.innovations.color_calibration import ColorCalibration

    net = ColorCalibration(cfg.innovations.color_calibration.hidden)
    torch.save(
        {
            "version": 1,
            "bound": bound.tensors(),
            "config": cfg.model_dump_json(),
            "clip": str(tmp_path / "abs" / "clip"),
            "sh_degree": 0,
            "steps": 3,
            "train_seconds": 1.0,
            "calibration": net.state_dict(),
            "corrections": torch.ones(4, 6),
        },
        run / AVATAR_FILE,
    )
    avatar = load_bundle(run / AVATAR_FILE)
    assert avatar.clip == tmp_path / "abs" / "clip" and avatar.steps == 3
    assert [i.name for i in avatar.innovations] == ["color_calibration"]
    verts = torch.randn(5, 3)
    assert torch.equal(avatar.pose(verts, 0), verts)  # v1 corrections had no frame numbers: not applied


def test_a_run_without_avatar_says_how_to_finish_it_in_every_command(tmp_path):
    """eval, export ply, render and live all answer an unfinished run with the same fix: resume it."""
    from core.gaussians.train.evaluate import evaluate_run
    from core.gaussians.train.render_audio import GaussianFrames
    from core.jobs.errors import BadInput

    run = tmp_path / "runs" / "g"
    (run / "checkpoints").mkdir(parents=True)
    attempts = (
        lambda: evaluate_run(run, torch.device("cpu")),
        lambda: export_run_ply(run, tmp_path / "out"),
        lambda: GaussianFrames(run, None, torch.device("cpu")),
    )
    for attempt in attempts:
        with pytest.raises(BadInput) as err:
            attempt()
        msg = str(err.value)
        assert f"{run} has no {AVATAR_FILE}" in msg and "dhstudio train" in msg and "--resume" in msg
    assert not (tmp_path / "out").exists()
