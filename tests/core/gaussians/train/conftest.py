"""A tiny synthetic avatar dataset: a bumpy 6x6 grid mesh that moves, images rendered from known Gaussians."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from core.gaussians.binding import init_bound_gaussians, world_on_mesh
from core.gaussians.camera import Camera, intrinsics
from core.gaussians.render import torch_rasterizer
from core.gaussians.render.base import RenderOptions
from core.gaussians.train.data import AvatarData


def grid_mesh(n: int = 6, size: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    xs = np.linspace(-size / 2, size / 2, n)
    xx, yy = np.meshgrid(xs, xs)
    verts = np.stack(
        [xx.ravel(), yy.ravel(), 0.5 + 0.01 * np.cos(xx.ravel() * 30) * np.cos(yy.ravel() * 30)], -1
    )
    faces = []
    for r in range(n - 1):
        for c in range(n - 1):
            i = r * n + c
            faces += [(i, i + n, i + 1), (i + 1, i + n, i + n + 1)]
    return verts.astype(np.float32), np.asarray(faces, np.int64)


def make_avatar_data(n_frames: int = 10, res: int = 32, seed: int = 0) -> AvatarData:
    g = torch.Generator().manual_seed(seed)
    base, faces = grid_mesh()
    faces_t = torch.from_numpy(faces)
    truth = init_bound_gaussians(len(faces), sh_degree=0, relative_scale=0.6, opacity=0.9)
    truth.sh[:, 0, :] = torch.rand(len(faces), 3, generator=g) * 2.0 - 1.0
    camera = Camera(torch.eye(4), intrinsics(60.0 * res / 32, 60.0 * res / 32, res / 2, res / 2), res, res)
    verts, images = [], []
    for f in range(n_frames):
        v = torch.from_numpy(base.copy())
        v[:, 0] += 0.01 * np.sin(f * 0.7)
        v[:, 2] += 0.005 * np.cos(f)
        verts.append(v)
        with torch.no_grad():
            out = torch_rasterizer.render(
                world_on_mesh(truth, v, faces_t), camera, RenderOptions(render_depth=False)
            )
        images.append((out.colors.clamp(0, 1) * 255 + 0.5).to(torch.uint8))
    n_train = int(n_frames * 0.8)
    return AvatarData(
        images=torch.stack(images),
        verts=torch.stack(verts),
        faces=faces_t,
        camera=camera,
        train_ids=torch.arange(n_train),
        test_ids=torch.arange(n_train, n_frames),
        clip_frames=np.arange(n_frames),
        crop=(0, 0, res),
        fps=25.0,
        extent=1.1 * 0.5,
        clip_path=Path("/nonexistent/synthetic"),
    )


@pytest.fixture(scope="session")
def avatar_data() -> AvatarData:
    return make_avatar_data()


@pytest.fixture(scope="session")
def prepared_project(tmp_path_factory) -> Path:
    """A project with one short synthetic clip prepared by MediaPipe (about 2 s, 256 px)."""
    from core.face.prepare_job import PrepareJob
    from core.jobs.collector import CollectingRunner
    from core.synth.talking_head import DemoClipSpec, generate, write
    from studio.project import create_project

    root = tmp_path_factory.mktemp("gsproject") / "proj"
    project = create_project(root, "gs")
    clip = generate(DemoClipSpec(size=256, duration=2.0, seed=3))
    write(clip, project.media_dir / "demo.mp4", project.media_dir / "truth.json")
    result = CollectingRunner().run(PrepareJob(project.media_dir / "demo.mp4", project.prepared_dir / "demo"))
    assert result.ok, result.error
    project.add_clip("demo")
    return root
