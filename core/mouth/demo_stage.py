"""The demo's audio-to-mouth stage: the speaker-independent prior mapped onto the demo clip (no
training), then fine-tuned on it like the CLI does; both runs' held-out figures are logged."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from core.jobs.context import JobContext
from core.mouth.config import Audio2MouthConfig
from core.mouth.kind import KIND as TRAINING_KIND
from core.project_layout import ProjectLayout
from core.train.lifecycle import run_lifecycle
from core.train.run_folder import RunFolder
from core.train.spec import TrainRequest

DEMO_STEPS = 200  # fine-tuning steps from the prior, ~10-20 s on a laptop CPU


def _run(
    ctx: JobContext,
    project_root: Path,
    clip_dir: Path,
    device: str,
    steps: int,
    max_steps: int | None,
    label: str,
) -> tuple[Path, dict]:
    base = Audio2MouthConfig()
    config = base.derive(train=base.train.derive(steps=steps))
    run_dir = ProjectLayout(Path(project_root)).run(f"{datetime.now():%Y%m%d-%H%M%S}-audio2mouth-{label}")
    run = RunFolder(run_dir).create(
        TRAINING_KIND.name, config.model_dump(mode="json"), source="dhstudio demo", job=f"audio2mouth-{label}"
    )
    request = TrainRequest(
        clips=(Path(clip_dir),), run=run, device=device, max_steps=max_steps, project_root=Path(project_root)
    )
    with run_lifecycle(run, created=True):
        TRAINING_KIND.train_job(config, request).run(ctx)
    return run_dir, json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))


def run_audio2mouth_demo(
    ctx: JobContext, project_root: Path, clip_dir: Path, device: str = "auto", max_steps: int | None = None
) -> tuple[Path, dict]:
    """Map the prior (runs/<stamp>-audio2mouth-prior), then fine-tune it (runs/<stamp>-audio2mouth-demo);
    returns the fine-tuned run folder and its summary."""
    _, prior = _run(ctx, project_root, clip_dir, device, 0, None, "prior")
    ctx.log(
        f"audio-to-mouth prior, no training on this clip: held-out mouth-opening r = "
        f"{prior['heldout_mouth_r']:.3f}, LMD {prior['heldout_lmd_px']:.2f} px"
    )
    run_dir, summary = _run(ctx, project_root, clip_dir, device, DEMO_STEPS, max_steps, "demo")
    ctx.log(
        f"audio-to-mouth prior fine-tuned on the clip: held-out mouth-opening r = "
        f"{summary['heldout_mouth_r']:.3f}, LMD {summary['heldout_lmd_px']:.2f} px (step {summary['step']})"
    )
    return run_dir, summary
