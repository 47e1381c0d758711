"""An audio-to-mouth run for a project that has none: the prior mapped onto its prepared clips.

Render and live need an audio model; a new project has prepared clips but no trained audio2mouth
run. Instead of refusing, `map_prior_run` runs the audio2mouth job with `train.steps = 0` and the
prior on (seconds, no training): the run folder is an ordinary finished audio2mouth run, so render,
live, eval and export load it like any other, and a later trained run takes over (newest first).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from core.jobs.collector import CollectingRunner
from core.jobs.errors import BadInput
from core.jobs.message import Text
from core.project_layout import ProjectLayout

CLIP_FPS_DECIMALS = 3


def clips_with_audio(layout: ProjectLayout) -> list[Path]:
    """The project's prepared clips that have speech, at the frame rate of the newest one."""
    from core.face.prepared import PreparedClip

    found = []
    if layout.prepared.is_dir():
        # clips only: the in-use markers beside them come and go while other jobs run
        clips = [p for p in layout.prepared.iterdir() if layout.is_prepared_clip(p.name)]
        for p in sorted(clips, key=lambda p: p.stat().st_mtime):
            clip = PreparedClip.load(p)
            if clip.has_audio:
                found.append((p, round(float(clip.fps), CLIP_FPS_DECIMALS)))
    if not found:
        return []
    fps = found[-1][1]
    return [p for p, f in found if f == fps]


def map_prior_run(project_root: Path) -> Path:
    """Make runs/<stamp>-audio2mouth-prior from the project's clips; returns the run folder."""
    from core.mouth.config import Audio2MouthConfig
    from core.mouth.kind import KIND
    from core.train.lifecycle import run_lifecycle
    from core.train.run_folder import RunFolder
    from core.train.spec import TrainRequest

    layout = ProjectLayout(Path(project_root))
    clips = clips_with_audio(layout)
    if not clips:
        raise BadInput(
            Text(
                "No prepared clip with speech in {prepared}; the audio-to-mouth prior is mapped "
                "onto a clip's mouth. Prepare one with `dhstudio prepare VIDEO --project "
                "{project}`.",
                prepared=layout.prepared,
                project=layout.root,
            )
        )
    base = Audio2MouthConfig()
    config = base.derive(train=base.train.derive(steps=0), prior=base.prior.derive(use=True))
    run = RunFolder(layout.run(f"{datetime.now():%Y%m%d-%H%M%S}-audio2mouth-prior")).create(
        KIND.name,
        config.model_dump(mode="json"),
        source="audio-to-mouth prior",
        job="audio2mouth-prior",
        made_without_training=True,  # pickers prefer the runs a user trained (studio export dialog)
    )
    request = TrainRequest(clips=tuple(clips), run=run, device="cpu", project_root=layout.root)
    runner = CollectingRunner()
    with run_lifecycle(run, created=True):
        result = runner.run(KIND.train_job(config, request))
        if not result.ok:
            raise BadInput(
                Text(
                    "mapping the audio-to-mouth prior onto {project} failed: {error}",
                    project=layout.root,
                    error=result.error,
                )
            )
    return run.path
