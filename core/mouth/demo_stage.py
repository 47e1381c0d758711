"""The demo's audio-to-mouth stage: the speaker-independent prior mapped onto the prepared demo clip,
then fine-tuned on it, like the CLI does; the job logs the prior's held-out figures before training."""

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


def run_audio2mouth_demo(
    ctx: JobContext, project_root: Path, clip_dir: Path, device: str = "auto", max_steps: int | None = None
) -> tuple[Path, dict]:
    """Train into runs/<stamp>-audio2mouth-demo; returns the run folder and its summary."""
    config = Audio2MouthConfig().derive(train=Audio2MouthConfig().train.derive(steps=DEMO_STEPS))
    run_dir = ProjectLayout(Path(project_root)).run(f"{datetime.now():%Y%m%d-%H%M%S}-audio2mouth-demo")
    run = RunFolder(run_dir).create(
        TRAINING_KIND.name, config.model_dump(mode="json"), source="dhstudio demo", job="audio2mouth-demo"
    )
    request = TrainRequest(
        clips=(Path(clip_dir),), run=run, device=device, max_steps=max_steps, project_root=Path(project_root)
    )
    with run_lifecycle(run, created=True):
        TRAINING_KIND.train_job(config, request).run(ctx)
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    ctx.log(
        f"audio-to-mouth (prior fine-tuned on the clip): held-out mouth-opening "
        f"r = {summary['heldout_mouth_r']:.3f}, "
        f"LMD {summary['heldout_lmd_px']:.2f} px (step {summary['step']})"
    )
    return run_dir, summary
