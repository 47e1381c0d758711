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
from core.synth.talking_head import DemoClipSpec, generate, write
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
        ctx.log("generating the synthetic talking-head clip")
        clip = generate(DemoClipSpec())
        write(clip, state.video, state.truth)
    state.outputs["demo clip"] = state.video
    state.outputs["mouth-opening truth"] = state.truth
    ctx.artifact(state.video, "video")


STAGES: list[Stage] = [("generate clip", stage_generate)]


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
        project = (
            open_project(self.out)
            if (self.out / "project.toml").exists()
            else create_project(self.out, "demo")
        )
        state = DemoState(
            project,
            project.media_dir / "demo.mp4",
            project.media_dir / "demo_truth.json",
            self.device,
            self.max_steps,
        )
        for i, (label, stage) in enumerate(self.stages):
            ctx.checkpoint()
            ctx.progress(i, len(self.stages), f"demo: {label}")
            stage(ctx, state)
        ctx.progress(len(self.stages), len(self.stages), "demo: done")
        return state
