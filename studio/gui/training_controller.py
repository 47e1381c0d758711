"""Behaviour of the training panel: choose a preset, tune it, run it, watch it learn.

The config is a raw nested dict (what a TOML file holds) validated on every edit by the family's
own config model, so the panel can never start what `dhstudio train` would refuse. Runs are
created by the CLI's own :func:`studio.training_runs.prepare_run` (the preset plus the edits as
``--set`` overrides), so a run started here is the run the CLI would have made.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ValidationError
from PySide6.QtCore import QObject, Qt, QTimer, Signal

from core.config.errors import describe_validation_error
from core.config.loader import read_toml, to_toml
from core.device import seed_everything
from core.io import atomic
from core.jobs.errors import BadInput
from core.jobs.events import RefineStep
from core.jobs.job import JobResult, Status
from core.jobs.message import Text
from core.kinds.base import AvatarKind
from core.kinds.registry import all_kinds
from core.train.run_folder import RunFolder
from studio.gui import config_fields as cf
from studio.gui import i18n
from studio.gui.ablation_controller import AblationController
from studio.gui.gaussian_viewport_controller import GaussianViewportController
from studio.gui.job_worker import JobThread, connect_worker
from studio.gui.preview_poller import PreviewPoller
from studio.gui.training_presets import PROJECT_PRESETS, Preset, find_presets
from studio.gui.training_watch import (
    DIFFERENCE_COLUMN,
    RateMeter,
    attention_over_output,
    metric_panel,
    redraw_interval_ms,
    with_difference,
)
from studio.project import Project, safe_name
from studio.training_runs import RunOrder, prepare_run, resolve_clips, resume_clips, train_request
from ui.training_view import TrainingView

STATE_OF = {Status.SUCCEEDED: "finished", Status.FAILED: "failed", Status.CANCELLED: "cancelled"}


class TrainingController(QObject):
    run_started = Signal(str)  # run folder
    run_finished = Signal(object)  # JobResult
    config_changed = Signal(object)  # the validated config, or None while invalid

    def __init__(self, view: TrainingView, project: Project | None = None) -> None:
        super().__init__(view)
        self.view = view
        self.project = project
        self.kinds: list[AvatarKind] = all_kinds()
        self.presets: list[Preset] = []
        self.preset: Preset | None = None
        self.base: BaseModel | None = None  # the preset as validated
        self.raw: dict[str, Any] = {}  # the edited config, as a TOML file would hold it
        self.config: BaseModel | None = None  # the edited config when valid
        self.job: JobThread | None = None
        self.run: RunFolder | None = None
        self.poller: PreviewPoller | None = None
        self.rate = RateMeter()
        self._samples: np.ndarray | None = None
        self._columns: dict[str, tuple[str, ...]] = {}  # the running job's preview name -> column names
        self._attention: np.ndarray | None = None
        self.viewport = GaussianViewportController(view.viewport, self)
        self.ablation = AblationController(view, project)
        self.ablation.started.connect(lambda _out: self._update_buttons())
        self.ablation.finished.connect(lambda _result: self._update_buttons())
        self._progress: tuple[int, int, str] | None = None  # newest progress not shown yet
        self.status_timer = QTimer(self)
        self.status_timer.setInterval(500)
        self.status_timer.timeout.connect(self._show_progress)
        self.redraw_timer = QTimer(self)
        self.redraw_timer.setInterval(redraw_interval_ms(0.0))  # then spaced by the paint cost
        self.redraw_timer.timeout.connect(self._redraw)
        v = view
        for kind in self.kinds:
            v.family.addItem(kind.title, kind.name)
        v.family.currentIndexChanged.connect(lambda _i: self._fill_presets())
        v.preset.currentIndexChanged.connect(lambda _i: self.load_preset(self._selected_preset()))
        v.form.edited.connect(self.edit)
        v.save_button.clicked.connect(lambda: self.save_preset(v.preset_name.text()))
        v.revert_button.clicked.connect(lambda: self.load_preset(self.preset))
        v.start_button.clicked.connect(self.start)
        v.pause_button.clicked.connect(self.pause)
        v.resume_button.clicked.connect(self.resume)
        v.stop_button.clicked.connect(self.stop)
        v.continue_button.clicked.connect(lambda: self.continue_run(v.resume_run.currentData()))
        v.attention_opacity.valueChanged.connect(lambda _v: self._show_attention())
        self.set_project(project)

    # choose -----------------------------------------------------------------------------------
    @property
    def kind(self) -> AvatarKind:
        return self.kinds[max(0, self.view.family.currentIndex())]

    def set_project(self, project: Project | None) -> None:
        self.project = project
        self.ablation.set_project(project)
        self.presets = find_presets(project)
        self._fill_presets()
        self._fill_resumable()
        self.fill_clips()

    def fill_clips(self) -> None:
        """The clip choice: every prepared clip of the project, or all of them (`dhstudio train --clip`)."""
        combo = self.view.clip
        keep = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        i18n.add_item(combo, "All clips", "")
        for path in self.project.prepared_clips() if self.project is not None else []:
            combo.addItem(path.name, path.name)
        combo.setCurrentIndex(max(0, combo.findData(keep)) if keep else 0)
        combo.blockSignals(False)

    def select(self, kind: str, preset: str) -> None:
        """Choose a family and a preset by name (what a user does with the two combo boxes)."""
        self.view.family.setCurrentIndex(self.view.family.findData(kind))
        index = next(
            i for i in range(self.view.preset.count()) if self.view.preset.itemData(i).name == preset
        )
        self.view.preset.setCurrentIndex(index)

    def _fill_presets(self) -> None:
        combo = self.view.preset
        combo.blockSignals(True)
        combo.clear()
        for p in self.presets:
            if p.kind == self.kind.name:
                combo.addItem(p.name, p)
                combo.setItemData(combo.count() - 1, p.description, Qt.ItemDataRole.ToolTipRole)
        combo.blockSignals(False)
        self.view.form.build(cf.field_specs(self.kind.config_model))
        self.view.plot.clear()
        self.view.plot.show_panels(self.kind.curves)
        self._fill_resumable()
        self.load_preset(self._selected_preset())
        i18n.retranslate(self.view)  # the form's tabs and the plots are new: in the interface language

    def _selected_preset(self) -> Preset | None:
        data = self.view.preset.currentData()
        return data if isinstance(data, Preset) else None

    def load_preset(self, preset: Preset | None) -> None:
        self.preset = preset
        self.raw = read_toml(preset.path) if preset is not None else {"kind": self.kind.name}
        try:
            self.base = self.kind.config_model.model_validate(self.raw)
        except ValidationError:
            self.base = None  # a broken preset: its errors show in the form
        i18n.set_text(self.view.description, preset.description if preset else "")
        self._validate(editing="")

    # tune -------------------------------------------------------------------------------------
    def edit(self, path: str, value: Any) -> None:
        """One user edit: apply it to the raw config, validate, echo the validated values."""
        self.raw = cf.set_path(self.raw, path, value)
        self._validate(editing=path)

    def _validate(self, editing: str) -> None:
        form = self.view.form
        try:
            config = self.kind.config_model.model_validate(self.raw)
        except ValidationError as exc:
            self.config = None
            errors, general = cf.errors_by_path(exc, set(form.fields))
            form.set_errors(errors, "\n".join(general))
            source = self.preset.name if self.preset else "config"
            self.view.show_message(describe_validation_error(exc, f"{source} (edited)"))
            if errors:
                form.select_field(editing if editing in errors else next(iter(errors)))
        else:
            self.config = config
            form.set_errors({})
            self.view.show_message("")
            values = cf.flatten(config.model_dump(mode="json"))
            typing_in = form.fields.get(editing)
            if typing_in is not None and typing_in.edit is not None and typing_in.edit.hasFocus():
                typing_in.show_slider_only(values[editing])
                values.pop(editing)
            form.set_values(values)
        self._show_diff()
        self._update_buttons()
        self.config_changed.emit(self.config)

    def differences(self) -> list[tuple[str, Any, Any]]:
        if self.config is None or self.base is None:
            return []
        return cf.differences(self.base.model_dump(mode="json"), self.config.model_dump(mode="json"))

    def _show_diff(self) -> None:
        diffs = self.differences()
        if self.config is None and self.base is not None:  # invalid: compare what was typed
            base = self.base.model_dump(mode="json")
            typed = cf.flatten(self.raw)  # the preset file's keys plus the edits (no defaults)
            diffs = [(p, a, b) for p, a, b in cf.differences(base, self.raw) if p in typed and p != "kind"]
        lines = [f"{p}: {self._literal(a)} → {self._literal(b)}" for p, a, b in diffs]
        self.view.diff.setPlainText("\n".join(lines))

    @staticmethod
    def _literal(value: Any) -> str:
        if value is None:
            return "-"
        try:
            return cf.toml_literal(value)
        except TypeError:
            return repr(value)

    def save_preset(self, name: str) -> Path | None:
        """Write the edited config as PROJECT/presets/NAME.toml and select it."""
        if self.config is None:
            return None
        if self.project is None:
            self.view.show_message(i18n.tr("Open a project first: presets are saved next to it."))
            return None
        name = safe_name(name.strip()) if name.strip() else ""
        if not name:
            self.view.show_message(i18n.tr("Give the new preset a name."))
            return None
        base = self.preset.name if self.preset else "defaults"
        changed = ", ".join(p for p, _, _ in self.differences()) or "no changes"
        header = f"# {name}: {base} with {changed}\n# saved by the studio's training panel from {base}.toml\n"
        path = self.project.root / PROJECT_PRESETS / f"{name}.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic.write_text(path, header + to_toml(self.config.model_dump(mode="json")))
        self.presets = find_presets(self.project)
        self._fill_presets()
        self.select(self.kind.name, name)
        self.view.preset_name.clear()
        return path

    # run --------------------------------------------------------------------------------------
    @property
    def active(self) -> JobThread | None:
        """The training run or ablation suite going on now (one at a time)."""
        return self.job or self.ablation.job

    def _update_buttons(self) -> None:
        running = self.active is not None
        paused = running and self.active.control.paused
        self.view.set_running(running, paused)
        self.view.start_button.setEnabled(not running and self.config is not None and self.preset is not None)
        self.view.save_button.setEnabled(self.config is not None and self.project is not None)

    def _fill_resumable(self) -> None:
        combo = self.view.resume_run
        combo.clear()
        if self.project is not None and self.project.runs_dir.is_dir():
            for run in sorted(self.project.runs_dir.iterdir(), reverse=True):
                status = RunFolder(run).read_status()
                if status.get("kind") == self.kind.name and status.get("state") in ("cancelled", "failed"):
                    step = f", step {status['step']}" if "step" in status else ""
                    combo.addItem(f"{run.name} ({status['state']}{step})", run.name)
        self._update_buttons()

    def _order(self, job: Path, resume: bool, run_name: str | None) -> RunOrder:
        """What `dhstudio train` would have parsed for this start."""
        steps = self.view.max_steps.value()
        return RunOrder(
            job=job,
            overrides=[] if resume else cf.overrides(self.differences()),
            max_steps=steps or None,
            device=self.view.device.currentText(),
            run_name=run_name,
            resume=resume,
        )

    def start(self) -> RunFolder | None:
        """A new run of the edited preset, created exactly as `dhstudio train` creates it."""
        if self.config is None or self.preset is None:
            return None
        return self._guarded(lambda: self._launch(self._order(self.preset.path, False, None)))

    def continue_run(self, run_name: str | None) -> RunFolder | None:
        """Resume a stopped run from its checkpoint, with the config it was started with."""
        if not run_name or self.project is None:
            return None
        job = self.project.runs_dir / run_name / "config.toml"
        return self._guarded(lambda: self._launch(self._order(job, True, run_name)))

    def _launch(self, order: RunOrder) -> RunFolder:
        if self.project is None:
            raise BadInput(Text("Open a project with a prepared clip first (File > Open Project)."))
        chosen = self.view.clip.currentData()
        if not chosen and not self.project.prepared_clips():  # the shared message names the CLI
            raise BadInput(
                Text(
                    "This project has no prepared clip yet: import a video in the Media tab, press "
                    "Prepare… on its card, then start training."
                )
            )
        if order.resume:  # on the clips the run was started on, not the one the panel shows
            spec, config, run = prepare_run(order, self.project)
            clips = resume_clips(self.project, [], run)
        else:
            clips = resolve_clips(self.project, [chosen] if chosen else [])
            spec, config, run = prepare_run(order, self.project, clips)
        if not order.resume and config != self.config:
            raise BadInput(
                Text("the edited values cannot all be written as --set overrides; save it as a preset")
            )
        run.attach_log()
        seed_everything(int(getattr(getattr(config, "train", config), "seed", 0)))
        request = train_request(order, self.project, clips, run)
        if spec.viewport:  # the viewport orbits the run's checkpoints
            self.viewport.attach(run.path, clips[0], config)
        self._watch(JobThread(spec.train_job(config, request), self), run)
        return run

    def _on_log(self, message: str, level: str) -> None:
        self.view.log.appendPlainText(message if level == "info" else f"{level}: {message}")

    def _on_refine_log(self, event: RefineStep) -> None:
        self.view.log.appendPlainText(event.describe())

    def _on_failed(self, message: str, _bad_input: bool) -> None:
        self.view.show_message(message)

    def _watch(self, thread: JobThread, run: RunFolder) -> None:
        v, worker = self.view, thread.worker
        v.plot.clear()
        v.plot.show_panels(self.kind.curves)  # a plot the kind's run reported before went away
        v.samples.clear_image("Waiting for the first samples…")
        self._samples = self._attention = None
        self.rate = RateMeter()
        connect_worker(
            worker,
            progress=self._on_progress,
            metric=self._on_metric,
            log=self._on_log,
            failed=self._on_failed,
        )
        connect_worker(worker, refine=self._on_refine)
        connect_worker(worker, refine=self._on_refine_log)
        thread.finished.connect(self._on_finished)
        self._columns = worker.preview_columns
        self.poller = PreviewPoller(worker.previews, interval_ms=100, parent=self)
        self.poller.changed.connect(self._on_preview)
        self.job, self.run = thread, run
        v.show_message("")
        v.log.appendPlainText(f"── {run.path}")
        v.status.setText(i18n.tr("Starting {name}…").format(name=run.path.name))
        thread.start()
        self.poller.start()
        self.status_timer.start()
        v.plot.busy_s = 0.0
        self.redraw_timer.start(redraw_interval_ms(0.0))
        self._update_buttons()
        self.run_started.emit(str(run.path))

    def pause(self) -> None:
        if self.active is not None:
            self.active.control.pause()
            self.view.status.setText(self.view.status.text() + " · " + i18n.tr("paused"))
            self.view.plot.redraw(force=True)  # paused, drawing costs the trainer nothing: catch up now
            self._update_buttons()

    def resume(self) -> None:
        if self.active is not None:
            self.active.control.resume()
            self._update_buttons()

    def stop(self) -> None:
        """Cancel after the current step; the trainer saves a checkpoint to resume from."""
        if self.active is not None:
            self.active.control.cancel()
            self.view.status.setText(i18n.tr("Stopping (saving a checkpoint)…"))

    def shutdown(self) -> None:
        if self.job is not None:
            self.job.stop()
        self.ablation.shutdown()
        self.viewport.shutdown()

    def _on_finished(self, result: JobResult) -> None:
        thread, run = self.job, self.run
        self.job = None
        if self.poller is not None:
            self.poller.poll()  # the last previews
            self.poller.stop()
        self.redraw_timer.stop()
        self.status_timer.stop()
        self._show_progress()
        self.view.plot.redraw(force=True)
        self.viewport.refresh()
        if thread is not None:
            thread.thread.wait()
            thread.deleteLater()
        if run is not None:
            run.set_status(STATE_OF[result.status], error=result.error)
            run.close()
        state = i18n.tr(STATE_OF[result.status].capitalize())
        self.view.status.setText(f"{state}: {run.path.name if run else ''}")
        self._fill_resumable()
        self._update_buttons()
        self.run_finished.emit(result)

    # watch ------------------------------------------------------------------------------------
    def _on_progress(self, step: int, total: int, message: str) -> None:
        """Per step: only remember it; the status timer shows the newest a few times a second."""
        self.rate.add(step)
        self._progress = (step, total, message)

    def _show_progress(self) -> None:
        if self._progress is None:
            return
        (step, total, message), self._progress = self._progress, None
        v = self.view
        if total > 0:
            v.progress.setRange(0, total)
            v.progress.setValue(step)
        text = i18n.tr("step {step}").format(step=f"{step}/{total}" if total else step)
        text += f" · {self.rate.rate():.2f} it/s"
        if total:
            text += " · " + i18n.tr("ETA {time}").format(time=self.rate.eta(step, total))
        if self.job is not None and self.job.control.paused:
            text += " · " + i18n.tr("paused")
        v.status.setText(text)
        v.progress.setToolTip(message)

    def _redraw(self) -> None:
        """Push new points into the curves; the time the last redraw and its paints took sets when
        the next one comes (studio.gui.training_watch.redraw_interval_ms)."""
        plot = self.view.plot
        busy, plot.busy_s = plot.busy_s, 0.0
        plot.redraw()
        self.redraw_timer.setInterval(redraw_interval_ms(busy))

    def _on_metric(self, name: str, step: int, value: float) -> None:
        panel = metric_panel(name)
        if panel is not None:
            self.view.plot.add_point(panel, name, step, value)

    def _on_refine(self, event: RefineStep) -> None:
        self.view.plot.add_refine(event.step)
        self.view.plot.add_point("Gaussians", "train/gaussians", event.step, event.gaussians_after)

    def _on_preview(self, name: str, image: np.ndarray) -> None:
        if name == "attention":
            self._attention = image
            self._show_attention()
            return
        columns = self._columns.get(name, ())
        if name == "samples":
            self._samples = image
            image = with_difference(image)
            if columns and image.shape[1] > self._samples.shape[1]:
                columns = (*columns, DIFFERENCE_COLUMN)
        self.view.samples.set_image(image, columns)
        self.viewport.refresh()  # a preview step: a newer checkpoint may be there

    def _show_attention(self) -> None:
        """The trainer's heat maps over the plain prediction, as much as the opacity slider says."""
        alpha = self.view.attention_opacity.value() / 100.0
        self.view.attention_opacity_label.setText(
            i18n.tr("Opacity {percent} %").format(percent=round(alpha * 100))
        )
        if self._attention is not None:
            self.view.attention.set_image(attention_over_output(self._samples, self._attention, alpha))

    def _guarded(self, action):
        try:
            return action()
        except BadInput as exc:
            self.view.show_message(str(exc))
            return None
