"""`dhstudio demo`: build a project from the embedded synthetic clip and run every stage that exists.

Stages are plain functions over a shared `DemoState`; later features append theirs to
`STAGES` (in order), so the demo always exercises the whole product path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from core.jobs.context import JobContext
from core.jobs.job import Job
from core.project_layout import ProjectLayout
from core.train.spec import DemoResult
from studio.project import Project, create_project, open_project

CLIP_NAME = "demo"


@dataclass
class DemoState:
    project: Project
    video: Path
    truth: Path
    device: str = "auto"
    max_steps: int | None = None
    outputs: dict[str, Path] = field(default_factory=dict)  # what the demo made, for the summary


Stage = tuple[str, Callable[[JobContext, DemoState], None]]


def stage_generate(ctx: JobContext, state: DemoState) -> None:
    if state.video.is_file() and state.truth.is_file():
        ctx.log(f"demo clip already there: {state.video}")
    else:
        from core.synth.talking_head import DemoClipSpec, generate, write  # OpenCV: only when the demo runs

        ctx.log("generating the synthetic talking-head clip")
        clip = generate(DemoClipSpec())
        write(clip, state.video, state.truth)
    state.outputs["demo clip"] = state.video
    state.outputs["mouth-opening truth"] = state.truth
    ctx.artifact(state.video, "video")


STAGES: list[Stage] = [("generate clip", stage_generate)]


def stage_prepare(ctx: JobContext, state: DemoState) -> None:
    """Track the demo clip into prepared/<CLIP_NAME> and report how well mouth opening follows the truth."""
    import json

    import numpy as np

    from core.face.prepare_job import PrepareJob
    from core.face.prepared import PreparedClip
    from core.metrics.correlation import pearson

    out = state.project.layout.clip(CLIP_NAME)
    if (out / "manifest.json").is_file():
        ctx.log(f"demo clip already prepared: {out}")
    else:
        PrepareJob(state.video, out).run(ctx)
    state.project.add_clip(CLIP_NAME)
    clip = PreparedClip.load(out)
    truth = np.asarray(json.loads(state.truth.read_text(encoding="utf-8"))["mouth_open"], dtype=np.float64)
    measured = np.asarray(clip.manifest["mouth_opening"], dtype=np.float64)
    n = min(len(truth), len(measured))
    r = pearson(truth[:n], measured[:n])
    ctx.metric("demo/mouth_opening_r", n, r)
    ctx.log(f"prepared {clip.frame_count} frames; mouth opening vs truth: Pearson r = {r:.3f}")
    state.outputs["prepared clip"] = out


STAGES.append(("prepare clip", stage_prepare))


def stage_audio2mouth(ctx: JobContext, state: DemoState) -> None:
    """Train a small audio-to-mouth model on the demo clip (the lip-sync stage drives its mouth with it)."""
    from core.mouth.demo_stage import run_audio2mouth_demo

    clip = state.project.layout.clip(CLIP_NAME)
    run, _ = run_audio2mouth_demo(ctx, state.project.root, clip, state.device, state.max_steps)
    state.outputs["audio-to-mouth run"] = run


STAGES.append(("train audio-to-mouth", stage_audio2mouth))


def _kind_demo(
    ctx: JobContext, state: DemoState, run_demo: Callable[..., DemoResult], run_label: str, video_label: str
) -> None:
    """One avatar kind's demo (train, then render) on the demo clip; its run and video go into the summary."""
    result = run_demo(
        ctx, state.project.root, state.project.layout.clip(CLIP_NAME), state.device, state.max_steps
    )
    state.outputs[run_label] = result.run
    state.outputs[video_label] = result.video


def stage_lipsync(ctx: JobContext, state: DemoState) -> None:
    """Train a few steps of DINet mini on the demo clip and render the clip's speech with it."""
    from core.lipsync.demo_stage import run_lipsync_demo

    _kind_demo(ctx, state, run_lipsync_demo, "lip-sync run", "lip-sync video")


STAGES.append(("lip-sync renderer", stage_lipsync))


def stage_gaussian(ctx: JobContext, state: DemoState) -> None:
    """Train a small Gaussian avatar on the demo clip and render a short orbit video of it."""
    from core.gaussians.train.demo import run_gaussian_demo

    _kind_demo(ctx, state, run_gaussian_demo, "Gaussian avatar run", "Gaussian orbit video")


STAGES.append(("Gaussian avatar", stage_gaussian))


class DemoJob(Job):
    name = "demo"

    def __init__(
        self,
        out: Path | str,
        device: str = "auto",
        max_steps: int | None = None,
        stages: list[Stage] | None = None,
    ) -> None:
        self.out = Path(out)
        self.device = device
        self.max_steps = max_steps
        self.stages = stages if stages is not None else STAGES

    def run(self, ctx: JobContext) -> DemoState:
        layout = ProjectLayout(self.out)
        project = open_project(self.out) if layout.project_file.exists() else create_project(self.out, "demo")
        state = DemoState(
            project,
            project.layout.media_file("demo.mp4"),
            project.layout.media_file("demo_truth.json"),
            self.device,
            self.max_steps,
        )
        for i, (label, stage) in enumerate(self.stages):
            ctx.checkpoint()
            ctx.progress(i, len(self.stages), f"demo: {label}")
            stage(ctx, state)
        ctx.progress(len(self.stages), len(self.stages), "demo: done")
        return state
