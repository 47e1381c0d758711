"""The lip-sync part of `dhstudio demo`: train a few steps of DINet mini on the demo clip, render an mp4.

Kept here (not in studio/) so the stage is a plain function over explicit paths; studio's demo
job only wires it in. Runs are reused when a finished one is already in the project.
"""

from __future__ import annotations

from pathlib import Path

from core.jobs.context import JobContext
from core.jobs.errors import BadInput
from core.jobs.message import Text
from core.lipsync.kind import KIND
from core.lipsync.render import RenderJob, RenderRequest
from core.lipsync.train_config import DinetTrainConfig
from core.lipsync.trainer import DinetTrainJob
from core.mouth.kind import KIND as AUDIO_KIND
from core.project_layout import ProjectLayout
from core.train.lifecycle import resumable_run
from core.train.run_folder import RunFolder, RunState, newest_run
from core.train.spec import DemoResult, TrainRequest

DEMO_STEPS = 40
RUN_NAME = "demo-dinet-mini"


def demo_config(steps: int) -> DinetTrainConfig:
    """DINet mini at mouth 64, no perceptual loss (no VGG19 download needed), a short schedule."""
    return DinetTrainConfig.model_validate(
        {
            "model": {"variant": "mini", "mouth_size": 64},
            "discriminator": {"base_channels": 16, "num_scales": 1},
            "loss": {"lamb_pixel": 10.0, "lamb_perception": 0.0, "lamb_mouth": 10.0, "lamb_gan": 0.5},
            "augmentation": {"blur_kernel": 3, "noise_sigma": 3.0, "brightness": [0.85, 1.15]},
            "train": {
                "steps": steps,
                "batch_size": 4,
                "lr_g": 2e-3,
                "lr_d": 2e-4,
                "log_every": 5,
                "preview_every": max(steps // 2, 1),
                "checkpoint_every": steps,
            },
        }
    )


def run_lipsync_demo(
    ctx: JobContext, project_root: Path, clip_dir: Path, device: str = "auto", max_steps: int | None = None
) -> DemoResult:
    layout = ProjectLayout(Path(project_root))
    audio_run = newest_run(layout.runs, AUDIO_KIND.name)
    if audio_run is None:
        raise BadInput(
            Text(
                "the demo's lip-sync stage needs a finished {kind} run in {runs}; the "
                "audio-to-mouth stage must run first.",
                kind=AUDIO_KIND.name,
                runs=layout.runs,
            )
        )
    run_dir = layout.run(RUN_NAME)
    run = RunFolder(run_dir)
    if run.state is RunState.FINISHED and (run.checkpoints / "last.pt").is_file():
        ctx.log(f"lip-sync renderer already trained: {run_dir}")
    else:
        steps = min(DEMO_STEPS, max_steps) if max_steps else DEMO_STEPS
        cfg = demo_config(steps)
        ctx.log(f"training DINet mini for {steps} steps on the demo clip")
        with resumable_run(run, KIND.name, cfg.model_dump(mode="json"), "demo", RUN_NAME) as resume:
            DinetTrainJob(cfg, TrainRequest((clip_dir,), run, device=device, resume=resume)).run(ctx)
    video = layout.export("demo_lipsync.mp4")
    RenderJob(RenderRequest(run_dir, clip_dir / "audio.wav", video, audio_run, clip_dir, device)).run(ctx)
    return DemoResult(run_dir, video)
