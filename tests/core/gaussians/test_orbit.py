"""Orbit cameras and the viewport preview render."""

from __future__ import annotations

import numpy as np
import torch

from core.face import topology
from core.gaussians.binding import init_bound_gaussians
from core.gaussians.camera import project_points
from core.gaussians.mesh.mediapipe_mesh import estimated_intrinsics, lift_landmarks
from core.gaussians.orbit import OrbitView, orbit_camera, render_orbit_preview


def face_mesh() -> tuple[torch.Tensor, torch.Tensor]:
    base = np.asarray(topology.frontal_layout(), dtype=np.float64)
    lm = (base - base.mean(axis=0)) * 120.0 + np.array([128.0, 128.0, 0.0])
    K = estimated_intrinsics(256, 256)
    verts = lift_landmarks(lm[None], K.numpy())[0]
    faces = torch.as_tensor(np.asarray(topology.triangles(fill_holes=True, irises=True), dtype=np.int64))
    return torch.from_numpy(verts), faces


def test_default_orbit_reproduces_the_original_viewpoint() -> None:
    center = torch.tensor([0.0, 0.0, 0.6])
    cam = orbit_camera(center, OrbitView(width=64, height=48, distance=0.6))
    torch.testing.assert_close(cam.position(), torch.zeros(3), atol=1e-6, rtol=0)
    torch.testing.assert_close(cam.viewmat[:3, :3], torch.eye(3), atol=1e-6, rtol=0)
    p = cam.viewmat[:3, :3] @ center + cam.viewmat[:3, 3]
    torch.testing.assert_close(project_points(p, cam.K), torch.tensor([32.0, 24.0]))


def test_yaw_and_pitch_move_the_camera_around_the_head() -> None:
    center = torch.tensor([0.1, -0.05, 0.6])
    right = orbit_camera(center, OrbitView(yaw_deg=90.0, distance=0.5)).position()
    torch.testing.assert_close(right, center + torch.tensor([0.5, 0.0, 0.0]), atol=1e-6, rtol=0)
    above = orbit_camera(center, OrbitView(pitch_deg=30.0, distance=0.5)).position()
    assert float(above[1]) < float(center[1])  # y points down in this frame
    torch.testing.assert_close((above - center).norm(), torch.tensor(0.5))


def test_preview_renders_the_avatar_as_uint8() -> None:
    verts, faces = face_mesh()
    bound = init_bound_gaussians(faces.shape[0], relative_scale=1.0, opacity=0.95, rgb=(0.9, 0.6, 0.4))
    front = render_orbit_preview(bound, verts, faces, OrbitView(width=64, height=64))
    side = render_orbit_preview(bound, verts, faces, OrbitView(yaw_deg=60.0, width=64, height=64))
    assert front.shape == (64, 64, 3) and front.dtype == np.uint8
    assert int(front[32, 32, 0]) > int(front[32, 32, 1]) > int(front[32, 32, 2]) > 40  # skin-like colour
    covered_front = (front.sum(axis=-1) > 150).mean()
    covered_side = (side.sum(axis=-1) > 150).mean()
    assert 0.1 < covered_front < 0.9 and covered_side > 0.05
    assert covered_side < covered_front  # a face seen from the side covers less of the image


def test_auto_distance_fits_the_head() -> None:
    cam = orbit_camera(torch.zeros(3), OrbitView(fov_deg=40.0), radius=0.2)
    expected = 1.1 * 0.2 / np.sin(np.radians(20.0))
    torch.testing.assert_close(cam.position().norm(), torch.tensor(expected, dtype=torch.float32))


def test_preview_uses_the_selected_backend(caplog) -> None:
    """Without a renderer the preview takes the one the selection picks (fused C++ on a CPU where built)."""
    import logging

    from core.gaussians.render.select import TORCH, select_renderer

    verts, faces = face_mesh()
    bound = init_bound_gaussians(faces.shape[0], relative_scale=1.0, opacity=0.95, rgb=(0.9, 0.6, 0.4))
    selected = select_renderer("auto", "cpu").renderer.name
    with caplog.at_level(logging.INFO, logger="core.gaussians.render.select"):
        default = render_orbit_preview(bound, verts, faces, OrbitView(width=48, height=48))
    assert any(f"Gaussian renderer: {selected}" in r.getMessage() for r in caplog.records)
    reference = render_orbit_preview(bound, verts, faces, OrbitView(width=48, height=48), TORCH)
    assert np.abs(default.astype(int) - reference.astype(int)).max() <= 1  # uint8 rounding
