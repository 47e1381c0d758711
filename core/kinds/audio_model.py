"""Which audio-to-mouth run drives an avatar: the one the user named, or the project's newest usable one,
or, when the project has none, one the audio kind makes without training (the prior mapped onto the
project's clips, `AvatarKind.bootstrap`).

"Usable" means finished and with finite weights: a run whose training diverged is never picked by
default (a warning names it), and one named explicitly is refused with a message saying why.
The project's runs folder comes from `ProjectLayout`, not from walking up the run's path.
"""

from __future__ import annotations

import logging
from pathlib import Path

from core.jobs.errors import BadInput
from core.jobs.message import Text
from core.kinds.base import AvatarKind
from core.kinds.registry import audio_model_kind, kind_of_run
from core.project_layout import ProjectLayout
from core.train.run_folder import RunFolder, RunState, list_runs

log = logging.getLogger(__name__)


def resolve_audio_run(run: Path, given: Path | None, kind: AvatarKind | None = None) -> Path | None:
    """The audio-model run for avatar run `run` (None when its kind is not driven by one)."""
    kind = kind or kind_of_run(run)
    if not kind.uses_audio_model:
        return None
    audio = audio_model_kind()
    if given is not None:
        return _check_given(Path(given), audio)
    layout = ProjectLayout.of_run(run)
    for info in list_runs(layout.runs):
        if info.kind != audio.name or info.state is not RunState.FINISHED:
            continue
        try:
            audio.check_weights(info.path)
        except BadInput as exc:
            log.warning("skipping %s run %s: %s", audio.name, info.path.name, exc)
            continue
        return info.path
    why_not_made = ""
    if audio.bootstrap is not None:
        try:
            made = audio.bootstrap(layout.root)
        except BadInput as exc:
            why_not_made = Text(", and none could be made without training: {exc}", exc=exc)
        else:
            log.info("no finished %s run in %s: made %s without training", audio.name, layout.runs, made.name)
            return made
    raise BadInput(
        Text(
            "No finished {audio_title} run with usable weights in {runs}{why_not_made}. "
            "Train one with `dhstudio train training_jobs/{audio_name}.toml --project "
            "{project}` or pass --audio-model RUN.",
            audio_title=Text(audio.title.lower()),
            runs=layout.runs,
            why_not_made=why_not_made,
            audio_name=audio.name,
            project=layout.root,
        )
    )


def _check_given(given: Path, audio: AvatarKind) -> Path:
    fix = Text(
        "give an {name} run folder (made by `dhstudio train training_jobs/{name}.toml`), "
        "or leave --audio-model out to use the project's newest finished one",
        name=audio.name,
    )
    if not given.exists():
        raise BadInput(Text("--audio-model {given} does not exist; {fix}.", given=given, fix=fix))
    if given.is_dir():
        status = RunFolder(given).read_status()
        if status.get("kind") and status["kind"] != audio.name:
            raise BadInput(
                Text(
                    "--audio-model {given} is a '{kind}' run, not an {audio_name} one; {fix}.",
                    given=given,
                    kind=status["kind"],
                    audio_name=audio.name,
                    fix=fix,
                )
            )
        audio.check_weights(given)
    else:  # its checkpoint file
        from core.train.finite_weights import check_finite

        check_finite(given, Text(audio.title.lower()))
    return given
