"""The demo's Gaussian stage: train a small avatar on the demo clip and render an orbit video.

Small on purpose (64 px crops, a few hundred steps at most, 50 frames) so it finishes on a CPU;
``max_steps`` caps it further. A finished demo run is reused when the demo runs again.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from core.device import resolve_device
from core.gaussians.orbit import OrbitView, render_orbit_preview
from core.gaussians.render.select import select_renderer
from core.gaussians.train.bundle import AVATAR_FILE, load_bundle
from core.gaussians.train.config import GaussianConfig
from core.gaussians.train.source import load_clip_mesh
from core.gaussians.train.trainer import GaussianTrainJob
from core.jobs.context import JobContext
from core.media.mp4_writer import Mp4Writer
from core.project_layout import ProjectLayout
from core.train.lifecycle import run_lifecycle
from core.train.run_folder import RunFolder, RunState
from core.train.spec import TrainRequest

RUN_NAME = "demo-gaussian"
DEMO_STEPS = 300


@dataclass(frozen=True)
class GaussianDemoResult:
    run: Path
    video: Path
    psnr: float


def demo_config(steps: int) -> GaussianConfig:
    return GaussianConfig.model_validate(
        {
            "data": {"resolution": 64, "max_frames": 50},
            "densify": {"every": 50, "max_gaussians": 3000},
            "train": {
                "steps": steps,
                "log_every": 10,
                "preview_every": max(steps // 2, 1),
                "checkpoint_every": max(steps // 2, 1),
            },
        }
    )


def orbit_video(run_dir: Path, out: Path, device: torch.device, frames: int = 24, size: int = 128) -> Path:
    """A yaw sweep (-35 .. +35 degrees and back) around the avatar on the clip's first frame."""
    avatar = load_bundle(run_dir / AVATAR_FILE, device)
    mesh = load_clip_mesh(avatar.clip, avatar.config.data, device)
    renderer = select_renderer("auto", device).renderer
    with Mp4Writer(out, size, size, 12) as writer:
        for i in range(frames):
            yaw = 35.0 * math.sin(2 * math.pi * i / frames)
            rgb = render_orbit_preview(
                avatar.bound,
                avatar.pose(mesh.verts[0], 0),
                mesh.faces,
                OrbitView(yaw_deg=yaw, width=size, height=size),
                renderer,
            )
            writer.write_frame(np.ascontiguousarray(rgb[..., ::-1]))
    return out


def run_gaussian_demo(
    ctx: JobContext, project_root: Path, clip_dir: Path, device: str = "auto", max_steps: int | None = None
) -> GaussianDemoResult:
    steps = DEMO_STEPS if max_steps is None else max(1, min(DEMO_STEPS, max_steps))
    cfg = demo_config(steps)
    run = RunFolder(ProjectLayout(Path(project_root)).run(RUN_NAME))
    done = run.state is RunState.FINISHED and (run.path / AVATAR_FILE).is_file()
    if done:
        ctx.log(f"Gaussian demo avatar already trained: {run.path}")
    else:
        resume = (run.checkpoints / "last.pt").is_file()
        created = not run.path.exists()
        if created:
            run.create(cfg.kind, cfg.model_dump(mode="json"), source="demo", job=RUN_NAME)
        ctx.log(f"training a small Gaussian avatar ({steps} steps, 64 px) on the demo clip")
        with run_lifecycle(run, resume=resume, created=created):
            GaussianTrainJob(cfg, TrainRequest((Path(clip_dir),), run, device, resume=resume)).run(ctx)
    scores = json.loads((run.path / "eval.json").read_text(encoding="utf-8"))
    video = orbit_video(run.path, run.path / "orbit.mp4", resolve_device(device))
    ctx.artifact(video, "video")
    ctx.log(
        f"Gaussian demo: held-out PSNR {scores['psnr']:.2f} dB, {scores['gaussians']} Gaussians; "
        f"orbit video {video}"
    )
    return GaussianDemoResult(run.path, video, float(scores["psnr"]))
