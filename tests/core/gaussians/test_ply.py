"""PLY export/import: standard 3DGS layout, world and bound forms, re-animation from the file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from plyfile import PlyData

from core.gaussians.binding import init_bound_gaussians, world_on_mesh
from core.gaussians.ply import (
    MeshSequence,
    export_frame_ply,
    load_bound_ply,
    load_world_ply,
    mesh_path,
    read_ply,
    save_bound_ply,
)
from core.jobs.errors import BadInput


def avatar(n_faces: int = 12, degree: int = 2, seed: int = 0):
    gen = torch.Generator().manual_seed(seed)
    verts = torch.randn(4, 10, 3, generator=gen)  # 4 frames
    faces = torch.stack([torch.randperm(10, generator=gen)[:3] for _ in range(n_faces)])
    bound = init_bound_gaussians(n_faces, sh_degree=degree)
    bound.binding = torch.cat([bound.binding, torch.tensor([3, 3, 7])])  # densified children
    n = bound.binding.numel()
    bound.local_means = torch.randn(n, 3, generator=gen)
    bound.local_quats = torch.randn(n, 4, generator=gen)
    bound.log_scales = torch.randn(n, 3, generator=gen) - 2
    bound.opacity_logits = torch.randn(n, generator=gen)
    bound.sh = torch.randn(n, (degree + 1) ** 2, 3, generator=gen)
    return bound, verts, faces


def test_world_export_has_the_standard_layout_and_round_trips(tmp_path: Path) -> None:
    bound, verts, faces = avatar()
    path = tmp_path / "frame2.ply"
    export_frame_ply(path, bound, verts[2], faces)
    ply = PlyData.read(str(path))
    names = list(ply["vertex"].data.dtype.names)
    expected = (
        ["x", "y", "z", "nx", "ny", "nz", "f_dc_0", "f_dc_1", "f_dc_2"]
        + [f"f_rest_{i}" for i in range(24)]
        + ["opacity", "scale_0", "scale_1", "scale_2"]
        + ["rot_0", "rot_1", "rot_2", "rot_3", "binding_0"]
    )
    assert names == expected
    assert len(ply["vertex"].data) == 15 and ply.elements[0].data["binding_0"].dtype.kind == "i"
    world = world_on_mesh(bound, verts[2], faces)
    loaded = load_world_ply(path)
    torch.testing.assert_close(loaded.means, world.means)
    torch.testing.assert_close(loaded.scales, world.scales, rtol=1e-5, atol=1e-7)
    torch.testing.assert_close(loaded.opacities, world.opacities, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(loaded.sh, world.sh)
    q_ref = world.quats / world.quats.norm(dim=-1, keepdim=True)
    torch.testing.assert_close(loaded.quats, q_ref)
    # f_rest is channel-major: f_rest_0..7 are the red channel's coefficients 1..8
    np.testing.assert_allclose(ply["vertex"]["f_rest_1"], world.sh[:, 2, 0].numpy())
    np.testing.assert_allclose(ply["vertex"]["f_rest_8"], world.sh[:, 1, 1].numpy())


def test_bound_form_round_trips_and_reanimates_every_frame(tmp_path: Path) -> None:
    bound, verts, faces = avatar(degree=1, seed=3)
    path = tmp_path / "avatar.ply"
    save_bound_ply(path, bound, MeshSequence(verts.numpy(), faces.numpy()))
    assert mesh_path(path).is_file() and read_ply(path).space == "local"
    loaded, mesh = load_bound_ply(path)
    for name, value in bound.tensors().items():
        torch.testing.assert_close(getattr(loaded, name), value, msg=name)
    for t in range(4):
        a = world_on_mesh(bound, verts[t], faces)
        b = world_on_mesh(loaded, torch.from_numpy(mesh.verts[t]), torch.from_numpy(mesh.faces))
        torch.testing.assert_close(b.means, a.means)
        torch.testing.assert_close(b.quats, a.quats)


def test_wrong_files_are_refused_with_a_reason(tmp_path: Path) -> None:
    bound, verts, faces = avatar()
    world_path = tmp_path / "w.ply"
    export_frame_ply(world_path, bound, verts[0], faces)
    with pytest.raises(BadInput, match="not a bound"):
        load_bound_ply(world_path)
    with pytest.raises(BadInput, match="not found"):
        read_ply(tmp_path / "missing.ply")
    local_path = tmp_path / "l.ply"
    save_bound_ply(local_path, bound, MeshSequence(verts.numpy(), faces.numpy()))
    with pytest.raises(BadInput, match="load_bound_ply"):
        load_world_ply(local_path)
    mesh_path(local_path).unlink()
    with pytest.raises(BadInput, match=r"mesh\.npz"):
        load_bound_ply(local_path)
