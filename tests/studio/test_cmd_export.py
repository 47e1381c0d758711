"""`dhstudio export RUN --format ply`: both PLY forms from a Gaussian run; clear errors otherwise."""

from __future__ import annotations

import numpy as np
import torch
from plyfile import PlyData

from core.face import topology
from core.gaussians.binding import init_bound_gaussians
from core.gaussians.train.bundle import AVATAR_FILE, BUNDLE_VERSION
from core.gaussians.train.config import GaussianConfig
from core.kinds.registry import export_formats
from core.train.run_folder import RunFolder
from studio.cli.main import main
from tests.core.gaussians.fake_prepared import write_mesh_clip


def _fake_clip(root):
    """The two files the MediaPipe mesh provider reads: manifest and landmarks (3 frames)."""
    clip = root / "clip"
    clip.mkdir()
    layout = np.asarray(topology.frontal_layout(), np.float32)
    frames = np.stack([layout * 150.0 + np.array([100.0 + 5 * i, 110.0, 0.0], np.float32) for i in range(3)])
    frames[..., 2] = layout[None, :, 2] * 150.0
    write_mesh_clip(clip, frames, 320, 320)
    return clip


def _fake_run(root, clip, kind="gaussian"):
    run = RunFolder(root / "run").create(kind, {"kind": kind})
    bound = init_bound_gaussians(906, sh_degree=1)
    state = {
        "version": BUNDLE_VERSION,
        "bound": bound.tensors(),
        "config": GaussianConfig().model_dump_json(),
        "clip": str(clip),
        "sh_degree": 1,
        "steps": 0,
        "train_seconds": 0.0,
    }
    torch.save(state, run.path / AVATAR_FILE)
    return run.path


def test_export_ply_writes_world_and_bound_forms(tmp_path, capsys):
    run = _fake_run(tmp_path, _fake_clip(tmp_path))
    out = tmp_path / "out"
    assert main(["export", str(run), "--format", "ply", "--out", str(out), "--frame", "2", "--quiet"]) == 0
    world, bound = out / "run_frame00002.ply", out / "run_bound.ply"
    assert str(world) in capsys.readouterr().out
    w = PlyData.read(str(world))["vertex"]
    b = PlyData.read(str(bound))["vertex"]
    assert len(w.data) == len(b.data) == 906
    assert np.array_equal(np.asarray(b["binding_0"]), np.arange(906))
    assert float(np.min(w["z"])) > 0.05  # in front of the estimated camera (metres)
    assert not np.allclose(np.asarray(w["x"]), np.asarray(b["x"]))  # world vs local coordinates
    with np.load(out / "run_bound.mesh.npz") as mesh:
        assert mesh["verts"].shape == (3, 478, 3)


def test_export_refuses_other_runs_and_bad_frames(tmp_path):
    clip = _fake_clip(tmp_path)
    run = _fake_run(tmp_path, clip)
    assert main(["export", str(run), "--format", "ply", "--out", str(tmp_path / "o"), "--frame", "9"]) == 2
    other = RunFolder(tmp_path / "other").create("dinet", {"kind": "dinet"}).path
    assert main(["export", str(other), "--format", "ply", "--out", str(tmp_path / "o2")]) == 2
    assert main(["export", str(tmp_path / "missing"), "--format", "ply", "--out", str(tmp_path / "o3")]) == 2
    assert export_formats()["ply"] == ("gaussian",) and not (tmp_path / "o2").exists()
