"""One avatar family as data: its config model and a job factory per thing a user can do with it.

A missing factory means the family does not offer that action; asking for it is bad input that
names what the family does offer. Families are entries in `core.kinds.registry`, never `if` branches.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from core.jobs.errors import BadInput
from core.jobs.job import Job
from core.jobs.message import Text
from core.kinds.requests import EvalRequest, ExportRequest, RenderRequest
from core.train.spec import TrainRequest

if TYPE_CHECKING:
    from core.realtime.job import LiveRequest


@dataclass(frozen=True)
class AvatarKind:
    name: str  # the `kind` of job files and of run folders' status.json
    title: str  # what a creator reads ("Lip-sync video avatar")
    description: str
    config_model: type[BaseModel]
    train: Callable[[Any, TrainRequest], Job]
    evaluate: Callable[[EvalRequest], Job] | None = None
    render: Callable[[RenderRequest], Job] | None = None
    live: Callable[[LiveRequest], Job] | None = None
    exports: Mapping[str, Callable[[ExportRequest], Job]] = field(default_factory=dict)
    # format -> its ExportRequest.options as "name = default   # what else" lines (the Export dialog's hint)
    export_options: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    posed_exports: tuple[str, ...] = ()  # formats that pose the avatar on one clip frame (request.frame)
    uses_audio_model: bool = False  # render/live drive it through an audio-to-mouth run
    provides_audio_model: bool = False  # its runs are the audio model other kinds are driven by
    # the training curves its runs report (the panel hides the others; see ui.loss_plot.PANELS)
    curves: tuple[str, ...] = ("Losses", "Quality", "Learning rate")
    viewport: bool = False  # its checkpoints are 3D scenes the training panel can orbit while it trains
    weights: tuple[str, ...] = ()  # files in a run folder holding the weights render/live/export use
    # makes a usable run for a project that has none, without training (project root -> run folder)
    bootstrap: Callable[[Path], Path] | None = None
    # action it does not offer -> what to do instead (said when a user asks for that action)
    instead: Mapping[str, str] = field(default_factory=dict)

    @property
    def export_formats(self) -> tuple[str, ...]:
        return tuple(sorted(self.exports))

    @property
    def actions(self) -> tuple[str, ...]:
        """What a user can do with a finished run of this kind (for menus and messages)."""
        offered = [a for a in ("evaluate", "render", "live") if getattr(self, a) is not None]
        return (*offered, *(f"export {f}" for f in self.export_formats))

    def train_job(self, config: Any, request: TrainRequest) -> Job:
        return self.train(config, request)

    def eval_job(self, request: EvalRequest) -> Job:
        """The kind's evaluation, whose figures dict is written to `request.out_json` in one place."""
        from core.kinds.evaluation import EvalFiguresJob

        return EvalFiguresJob(self._factory("evaluate", Text("evaluated"))(request), request.figures_path)

    def render_job(self, request: RenderRequest) -> Job:
        factory = self._factory("render", Text("rendered"))
        if self.uses_audio_model and request.audio_run is None:
            raise BadInput(
                Text(
                    "rendering a {title} needs an audio-to-mouth run (--audio-model RUN)",
                    title=Text(self.title),
                )
            )
        return factory(request)

    def live_job(self, request: LiveRequest) -> Job:
        return self._factory("live", Text("driven live"))(request)

    def export_job(self, fmt: str, request: ExportRequest) -> Job:
        factory = self.exports.get(fmt)
        if factory is None:
            offered = ", ".join(self.export_formats) or Text("none")
            raise BadInput(
                Text(
                    "{title} runs ({name}) cannot be exported as {fmt!r}; formats for this kind: {offered}.",
                    title=Text(self.title),  # the kinds' titles are in the catalogue
                    name=self.name,
                    fmt=fmt,
                    offered=offered,
                )
            )
        return factory(request)

    def check_weights(self, run: Path) -> None:
        """BadInput when the run's weights hold NaN or inf (a diverged training must not be used)."""
        from core.train.finite_weights import check_finite

        for rel in self.weights:
            if (Path(run) / rel).is_file():
                check_finite(Path(run) / rel, Text(self.title.lower()))

    def _factory(self, action: str, verb: Text) -> Callable[[Any], Job]:
        factory = getattr(self, action)
        if factory is None:
            offered = ", ".join(self.actions) or Text("training only")
            hint = Text(" {instead}", instead=self.instead[action]) if action in self.instead else ""
            raise BadInput(
                Text(
                    "{title} runs ({name}) cannot be {verb}; this kind offers: {offered}.{hint}",
                    title=Text(self.title),  # the kinds' titles are in the catalogue
                    name=self.name,
                    verb=verb,
                    offered=offered,
                    hint=hint,
                )
            )
        return factory
