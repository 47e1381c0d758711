"""The runs panel: list every run, plot a metric of the selected runs together, open/rename/delete."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

from core.jobs.message import Text
from core.train.run_folder import RunFolder, RunState
from studio.gui import dialogs, i18n
from studio.gui.panel_controller import PanelController
from studio.gui.run_summary import RunSummary, metric_curves, project_runs
from studio.project import safe_name
from ui.runs_view import RunRow, RunsView

if TYPE_CHECKING:
    from studio.gui.main_controller import MainController

PREFERRED_METRICS = ("loss/total", "train/loss", "audio2mouth/train_loss", "train/psnr")


class RunsController(PanelController):
    view: RunsView

    def __init__(self, view: RunsView, main: MainController) -> None:
        super().__init__(view, main)
        self.runs: dict[str, RunSummary] = {}
        view.refresh_button.clicked.connect(self.refresh)
        view.open_button.clicked.connect(self.open_folder)
        view.rename_button.clicked.connect(self.rename)
        view.delete_button.clicked.connect(self.delete)
        view.table.itemSelectionChanged.connect(self._selection_changed)
        view.metric_combo.currentTextChanged.connect(lambda _: self.plot())
        main.project_changed.connect(lambda _: self.refresh())
        main.job_finished.connect(lambda _: self.refresh())

    def refresh(self) -> None:
        project = self.main.project
        keep = self.view.selected_names()
        runs = project_runs(project.runs_dir) if project is not None else []
        self.runs = {r.name: r for r in runs}
        self.view.table.blockSignals(True)
        self.view.set_rows(
            [
                RunRow(r.name, r.kind, r.preset, i18n.tr(r.state), str(r.steps or "–"), r.formatted())
                for r in runs
            ]
        )
        self.view.select_names([n for n in keep if n in self.runs])
        self.view.table.blockSignals(False)
        self._selection_changed()

    def select(self, names: list[str]) -> None:
        self.view.select_names(names)

    def _selection_changed(self) -> None:
        names = self.view.selected_names()
        self.view.set_selection_actions(len(names))
        metrics: list[str] = []
        for name in names or list(self.runs)[:1]:
            for metric in metric_curves(self.runs[name].path):
                if metric not in metrics:
                    metrics.append(metric)
        current = self.view.metric_combo.currentText()
        keep = current if current in metrics else next((m for m in PREFERRED_METRICS if m in metrics), "")
        self.view.set_metrics(sorted(metrics), keep or (sorted(metrics)[0] if metrics else ""))
        self.plot()

    def plot(self) -> None:
        metric = self.view.metric_combo.currentText()
        names = self.view.selected_names()
        curves = []
        for name in names:
            steps, values = metric_curves(self.runs[name].path).get(metric, ([], []))
            if steps:
                curves.append((name, steps, values))
        self.view.plot_curves(metric, curves)
        if not names:
            i18n.set_text(self.view.plot_hint, "Select one or two runs to compare a metric.")
        elif not curves:
            self.view.plot_hint.setText(
                i18n.tr("The selected run(s) did not log '{metric}'.").format(metric=metric)
            )
        else:
            self.view.plot_hint.setText(
                i18n.tr("{count} run(s) · {metric}").format(count=len(curves), metric=metric)
            )
        self.curves = curves

    def _selected(self) -> RunSummary | None:
        names = self.view.selected_names()
        return self.runs[names[0]] if len(names) == 1 else None

    def open_folder(self) -> None:
        run = self._selected()
        if run is not None:
            self.main.open_folder(run.path)

    def _running(self, run: RunSummary) -> bool:
        """Training here, in another window or in `dhstudio train` (a run whose process is gone
        reads as failed, see core.train.run_folder, so a crash does not lock a run for ever)."""
        if RunFolder(run.path).state is RunState.RUNNING:
            self.main.show_error(
                i18n.tr(
                    "'{name}' is training right now. Stop it first (Stop in the Training tab, or Ctrl+C "
                    "where `dhstudio train` runs; it keeps a checkpoint), then try again."
                ).format(name=run.name),
                True,
            )
            return True
        return False

    def rename(self) -> None:
        run = self._selected()
        if run is None or self._running(run):
            return
        new = dialogs.text(self.main.window, "Rename run", f"New name for '{run.name}':", run.name)
        if new is None:
            return
        target = run.path.with_name(safe_name(new))
        if target == run.path:
            return
        if target.exists():
            self.main.show_error(
                Text("A run named '{name}' exists already; choose another name.", name=target.name), True
            )
            return
        question = i18n.tr("Rename run '{name}' to '{new}'?").format(name=run.name, new=target.name)
        if not dialogs.ask(self.main.window, "Rename run", question):
            return
        try:
            run.path.rename(target)
        except OSError as exc:
            self.main.show_error(Text("Could not rename '{name}': {exc}.", name=run.name, exc=exc))
        self.refresh()
        self.view.select_names([target.name])
        self.main.render.refresh()

    def delete(self) -> None:
        names = self.view.selected_names()
        runs = [self.runs[n] for n in names]
        if not runs or any(self._running(r) for r in runs):
            return
        listing = ", ".join(f"'{r.name}'" for r in runs)
        if not dialogs.ask(
            self.main.window,
            "Delete runs",
            i18n.tr(
                "Delete {runs} with their checkpoints, metrics and previews? This cannot be undone."
            ).format(runs=listing),
        ):
            return
        for r in runs:
            shutil.rmtree(r.path, ignore_errors=True)
        self.refresh()
        self.main.render.refresh()
