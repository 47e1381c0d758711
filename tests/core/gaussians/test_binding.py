"""Mesh-bound Gaussians: triangle frames, world transform, initialisation, quaternion helpers."""

from __future__ import annotations

import math

import torch

from core.gaussians.binding import (
    bound_to_world,
    face_frames,
    init_bound_gaussians,
    with_requires_grad,
    world_on_mesh,
)
from core.gaussians.rotations import quat_multiply, quat_to_rotmat, rotmat_to_quat


def random_mesh(seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    verts = torch.randn(30, 3, generator=gen, dtype=torch.float64)
    faces = torch.stack([torch.randperm(30, generator=gen)[:3] for _ in range(40)])
    return verts, faces


def random_rotation(seed: int) -> torch.Tensor:
    q = torch.randn(4, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    return quat_to_rotmat(q)


def test_face_frames_are_right_handed_and_follow_the_triangle() -> None:
    verts, faces = random_mesh()
    fr = face_frames(verts, faces)
    R = fr.rotations
    eye = torch.eye(3, dtype=torch.float64).expand(40, 3, 3)
    torch.testing.assert_close(R.transpose(1, 2) @ R, eye)
    torch.testing.assert_close(torch.linalg.det(R), torch.ones(40, dtype=torch.float64))
    v0, v1, v2 = verts[faces[:, 0]], verts[faces[:, 1]], verts[faces[:, 2]]
    e01 = v1 - v0
    torch.testing.assert_close(R[:, :, 0], e01 / e01.norm(dim=1, keepdim=True))
    assert torch.allclose((R[:, :, 2] * (v2 - v0)).sum(-1), torch.zeros(40, dtype=torch.float64), atol=1e-12)
    torch.testing.assert_close(fr.centers, (v0 + v1 + v2) / 3)
    mean_edge = (e01.norm(dim=1) + (v2 - v0).norm(dim=1) + (v2 - v1).norm(dim=1)) / 3
    torch.testing.assert_close(fr.scales, mean_edge)


def test_init_places_one_gaussian_per_triangle_at_its_centroid() -> None:
    verts, faces = random_mesh(1)
    bound = init_bound_gaussians(40, sh_degree=2, relative_scale=0.5, opacity=0.1)
    assert bound.count == 40 and bound.sh.shape == (40, 9, 3)
    torch.testing.assert_close(bound.binding, torch.arange(40))
    g = world_on_mesh(bound.to("cpu"), verts.float(), faces)
    fr = face_frames(verts.float(), faces)
    torch.testing.assert_close(g.means, fr.centers)
    torch.testing.assert_close(g.scales, 0.5 * fr.scales[:, None].expand(40, 3))
    torch.testing.assert_close(g.opacities, torch.full((40,), 0.1))
    torch.testing.assert_close(quat_to_rotmat(g.quats), fr.rotations, atol=1e-6, rtol=1e-6)


def test_world_parameters_move_rigidly_with_the_mesh() -> None:
    verts, faces = random_mesh(2)
    gen = torch.Generator().manual_seed(5)
    bound = init_bound_gaussians(40)
    bound.local_means = torch.randn(40, 3, generator=gen, dtype=torch.float64)
    bound.local_quats = torch.randn(40, 4, generator=gen, dtype=torch.float64)
    bound.log_scales = torch.randn(40, 3, generator=gen, dtype=torch.float64)
    bound.binding = torch.randint(0, 40, (40,), generator=gen)
    Q, t, s = random_rotation(3), torch.tensor([0.3, -1.0, 2.0], dtype=torch.float64), 1.7
    before = world_on_mesh(bound, verts, faces)
    after = world_on_mesh(bound, s * verts @ Q.T + t, faces)
    torch.testing.assert_close(after.means, s * before.means @ Q.T + t)
    torch.testing.assert_close(after.scales, s * before.scales)
    torch.testing.assert_close(quat_to_rotmat(after.quats), Q @ quat_to_rotmat(before.quats))


def test_local_offset_along_the_normal_scales_with_the_triangle() -> None:
    verts = torch.tensor([[0.0, 0.0, 0.0], [2.0, 0.0, 0.0], [0.0, 2.0, 0.0]])
    faces = torch.tensor([[0, 1, 2]])
    bound = init_bound_gaussians(1)
    bound.local_means = torch.tensor([[0.0, 0.0, 1.0]])
    g = world_on_mesh(bound, verts, faces)
    k = (2 + 2 + 2 * math.sqrt(2)) / 3
    torch.testing.assert_close(g.means, torch.tensor([[2 / 3, 2 / 3, k]]))


def test_gradients_reach_local_parameters_and_vertices() -> None:
    verts, faces = random_mesh(4)
    verts.requires_grad_(True)
    bound = with_requires_grad(init_bound_gaussians(40))
    bound.local_means.data.normal_()
    g = bound_to_world(bound, face_frames(verts.float(), faces))
    (g.means.sum() + g.quats.sum() + g.scales.sum() + g.opacities.sum()).backward()
    for name, value in bound.tensors().items():
        if value.is_floating_point() and name != "sh":
            assert value.grad is not None and value.grad.abs().sum() > 0, name
    assert verts.grad is not None and torch.isfinite(verts.grad).all()
    assert not bound.binding.is_floating_point()


def test_rotmat_quat_round_trip_including_half_turns() -> None:
    q = torch.randn(200, 4, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    R = quat_to_rotmat(q)
    signs = torch.tensor([[1.0, -1, -1], [-1, 1, -1], [-1, -1, 1]], dtype=torch.float64)
    half_turns = torch.diag_embed(signs)
    R = torch.cat([R, half_turns])
    torch.testing.assert_close(quat_to_rotmat(rotmat_to_quat(R)), R)
    a, b = q[:100], q[100:]
    torch.testing.assert_close(quat_to_rotmat(quat_multiply(a, b)), quat_to_rotmat(a) @ quat_to_rotmat(b))
