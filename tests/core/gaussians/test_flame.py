"""FLAME: restricted unpickling of a FLAME-format file written here, LBS, region masks."""

from __future__ import annotations

import os
import pickle
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from core.gaussians.mesh.flame import (
    FlameParams,
    axis_angle_to_rotmat,
    find_flame_files,
    flame_forward,
    load_flame,
    region_face_mask,
    region_vertex_mask,
)
from core.gaussians.mesh.flame_pickle import load_restricted_pickle
from core.jobs.errors import BadInput
from tests.core.gaussians.synthetic_flame import flame_dict, write_flame_files

V, N_EXPR = 40, 20


@pytest.fixture
def flame_dir(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    weights = np.zeros((V, 5))
    weights[np.arange(V), rng.integers(0, 5, V)] = 1.0  # one joint per vertex: easy to check
    j_reg = np.zeros((5, V))
    for j in range(5):
        j_reg[j, rng.choice(V, 4, replace=False)] = 0.25
    faces = rng.integers(0, V, size=(60, 3))
    model = flame_dict(rng.normal(size=(V, 3)), faces, weights, j_reg, N_EXPR, rng)
    masks = {"lips": np.arange(0, 10), "nose": np.arange(10, 15), "face": np.arange(0, 30)}
    write_flame_files(tmp_path, model, masks)
    np.savez(tmp_path / "truth.npz", j_reg=j_reg, weights=weights)
    assert "chumpy" not in sys.modules  # the loader must not need chumpy
    return tmp_path


def params(b: int = 1, **kw: torch.Tensor) -> FlameParams:
    base = {
        "shape": torch.zeros(b, 300),
        "expr": torch.zeros(b, N_EXPR),
        "rotation": torch.zeros(b, 3),
        "neck_pose": torch.zeros(b, 3),
        "jaw_pose": torch.zeros(b, 3),
        "eyes_pose": torch.zeros(b, 6),
        "translation": torch.zeros(b, 3),
    }
    base.update(kw)
    return FlameParams(**base)


def test_loader_reads_chumpy_and_sparse_arrays(flame_dir: Path) -> None:
    model_path, masks_path = find_flame_files(flame_dir)
    assert model_path.name == "generic_model.pkl" and masks_path is not None
    model = load_flame(model_path, masks_path, dtype=torch.float64)
    truth = np.load(flame_dir / "truth.npz")
    assert model.shapedirs.shape == (V, 3, 320) and (model.n_shape, model.n_expr) == (300, 20)
    np.testing.assert_allclose(model.J_regressor.numpy(), truth["j_reg"])
    assert model.parents == [-1, 0, 1, 1, 1] and model.faces.dtype == torch.long
    assert sorted(model.masks) == ["face", "lips", "nose"]


def test_zero_pose_gives_template_and_bases_are_linear(flame_dir: Path) -> None:
    model = load_flame(*find_flame_files(flame_dir), dtype=torch.float64)
    verts, joints = flame_forward(model, params())
    torch.testing.assert_close(verts[0].float(), model.v_template.float())
    torch.testing.assert_close(joints[0], model.J_regressor @ model.v_template)
    shape = torch.zeros(1, 300, dtype=torch.float64)
    shape[0, 7] = 2.0
    expr = torch.zeros(1, N_EXPR, dtype=torch.float64)
    expr[0, 3] = -1.5
    verts, _ = flame_forward(model.to("cpu"), params(shape=shape, expr=expr))
    expected = model.v_template + 2.0 * model.shapedirs[..., 7] - 1.5 * model.shapedirs[..., 303]
    torch.testing.assert_close(verts[0].float(), expected.float())


def test_global_rotation_and_translation_are_rigid(flame_dir: Path) -> None:
    model = load_flame(*find_flame_files(flame_dir))
    rot, trans = torch.tensor([[0.3, -0.5, 0.2]]), torch.tensor([[0.1, 0.2, -0.3]])
    verts, _ = flame_forward(model, params(rotation=rot, translation=trans))
    R = axis_angle_to_rotmat(rot[0])
    j0 = model.J_regressor[0] @ model.v_template
    torch.testing.assert_close(verts[0], (model.v_template - j0) @ R.T + j0 + trans[0], atol=1e-5, rtol=1e-5)


def test_jaw_moves_only_jaw_vertices_about_the_jaw_joint(flame_dir: Path) -> None:
    model = load_flame(*find_flame_files(flame_dir))
    model.posedirs = torch.zeros_like(model.posedirs)
    jaw = torch.tensor([[0.4, 0.0, 0.0]])
    verts, joints = flame_forward(model, params(jaw_pose=jaw))
    on_jaw = model.weights[:, 2] == 1
    assert on_jaw.any() and (~on_jaw).any()
    torch.testing.assert_close(verts[0][~on_jaw], model.v_template[~on_jaw])
    j2 = joints[0, 2]
    R = axis_angle_to_rotmat(jaw[0])
    torch.testing.assert_close(verts[0][on_jaw], (model.v_template[on_jaw] - j2) @ R.T + j2)


def test_pose_correctives_and_batches(flame_dir: Path) -> None:
    model = load_flame(*find_flame_files(flame_dir))
    neck = torch.tensor([[0.0, 0.0, 0.0], [0.0, 0.3, 0.0]])
    verts, _ = flame_forward(model, params(b=2, neck_pose=neck, shape=torch.zeros(300)))
    assert verts.shape == (2, V, 3)
    torch.testing.assert_close(verts[0], model.v_template)
    assert not torch.allclose(verts[1], model.v_template)
    offset = torch.full((V, 3), 0.01)
    moved, _ = flame_forward(model, params(static_offset=offset))
    torch.testing.assert_close(moved[0], model.v_template + offset)


def test_region_masks(flame_dir: Path) -> None:
    model = load_flame(*find_flame_files(flame_dir))
    lips_nose = region_vertex_mask(model, ["lips", "nose"])
    assert int(lips_nose.sum()) == 15 and bool(lips_nose[:15].all())
    faces_in_face = region_face_mask(model, ["face"])
    np.testing.assert_array_equal(faces_in_face.numpy(), (model.faces < 30).all(dim=1).numpy())
    with pytest.raises(BadInput, match="available: face, lips, nose"):
        region_vertex_mask(model, ["ears"])


class Evil:
    def __reduce__(self):
        return (os.system, ("echo owned > owned.txt",))


def test_malicious_pickles_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    evil = tmp_path / "generic_model.pkl"
    evil.write_bytes(pickle.dumps({"v_template": Evil()}, protocol=2))
    with pytest.raises(BadInput, match="refused"):
        load_flame(evil)
    assert not (tmp_path / "owned.txt").exists()
    sneaky = tmp_path / "sneaky.pkl"
    sneaky.write_bytes(pickle.dumps(pickle.loads, protocol=2))  # any other global, even harmless-looking
    with pytest.raises(BadInput, match="not allowed"):
        load_restricted_pickle(sneaky)


def test_missing_model_names_the_files(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match=r"flame2023\.pkl or generic_model\.pkl"):
        find_flame_files(tmp_path)
