"""The training panel's Ablate tab: run a suite like `dhstudio ablate`, show its table and chart.

The job is the CLI's (:class:`core.gaussians.train.ablation.AblationJob`, same clip choice as
``studio.cli.cmd_ablate``); results are read back from the files it rewrites after every
configuration (``results.csv``, ``results.png``), so the table fills in as the suite goes.
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import cv2
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QTableWidgetItem

from core.config.loader import read_toml
from core.gaussians.train.ablation import AblationJob
from core.jobs.errors import BadInput
from core.jobs.job import JobResult
from core.jobs.message import Text
from studio.gui import i18n
from studio.gui.job_worker import JobThread
from studio.project import Project, safe_name
from studio.training_runs import resolve_clips
from ui.training_view import TrainingView

SUITES_DIR = Path(__file__).resolve().parents[2] / "training_jobs"


def find_suites(project: Project | None) -> list[Path]:
    """Suite files (a ``[[configs]]`` list) of the studio, then of PROJECT/presets."""
    folders = [SUITES_DIR] + ([project.root / "presets"] if project is not None else [])
    out = []
    for folder in folders:
        for path in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
            try:
                if "configs" in read_toml(path):
                    out.append(path)
            except BadInput:
                continue
    return out


class AblationController(QObject):
    started = Signal(str)  # output folder
    finished = Signal(object)  # JobResult

    def __init__(self, view: TrainingView, project: Project | None = None) -> None:
        super().__init__(view)
        self.view = view
        self.project = project
        self.job: JobThread | None = None
        self.out: Path | None = None
        self.per_config = 1
        self.configs: list[str] = []
        view.ablation_start.clicked.connect(self.start)
        self.set_project(project)

    def set_project(self, project: Project | None) -> None:
        self.project = project
        combo = self.view.ablation_suite
        combo.clear()
        for path in find_suites(project):
            combo.addItem(path.stem, path)

    def start(self) -> Path | None:
        suite = self.view.ablation_suite.currentData()
        if self.job is not None or suite is None:
            return None
        try:
            if self.project is None:
                raise BadInput(Text("Open a project with a prepared clip first (File > Open Project)."))
            clip = resolve_clips(self.project, [])[0]
            stamp = f"{datetime.now():%Y%m%d-%H%M%S}"
            out = self.project.root / "ablations" / f"{stamp}-{safe_name(Path(suite).stem)}"
            steps = self.view.ablation_steps.value()
            job = AblationJob(Path(suite), clip, out, self.view.device.currentText(), [], steps)
        except BadInput as exc:
            self.view.ablation_progress.setText(i18n.tr_message(str(exc)))
            return None
        self.out, self.per_config = out, steps
        self.configs = [e.name for e in job.entries]
        self.view.ablation_table.clear()
        self.view.ablation_table.setRowCount(0)
        self.view.ablation_chart.clear_image("The results chart appears when the suite finishes")
        thread = JobThread(job, self)
        thread.worker.progress.connect(self._on_progress)
        thread.worker.artifact.connect(self._on_artifact)  # methods, not lambdas: run on the GUI thread
        thread.worker.failed.connect(self._on_failed)
        thread.finished.connect(self._on_finished)
        self.job = thread
        thread.start()
        self.started.emit(str(out))
        return out

    def _on_artifact(self, _path: str, _kind: str) -> None:
        self._show_results()

    def _on_failed(self, message: str, _bad_input: bool) -> None:
        self.view.ablation_progress.setText(i18n.tr_message(message))

    def shutdown(self) -> None:
        if self.job is not None:
            self.job.stop()

    def _on_progress(self, step: int, total: int, message: str) -> None:
        n = len(self.configs)
        index = min(step // max(self.per_config, 1), n - 1) if n else 0
        done = step - index * self.per_config
        self.view.ablation_progress.setText(
            f"configuration {index + 1}/{n} ({self.configs[index] if n else ''}): "
            f"step {done}/{self.per_config} · overall {100 * step // max(total, 1)} %"
        )

    def _show_results(self) -> None:
        path = self.out / "results.csv" if self.out else None
        if path is None or not path.is_file():
            return
        with open(path, encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        if not rows:
            return
        table = self.view.ablation_table
        table.setColumnCount(len(rows[0]))
        table.setHorizontalHeaderLabels(rows[0])
        table.setRowCount(len(rows) - 1)
        for r, row in enumerate(rows[1:]):
            for c, value in enumerate(row):
                table.setItem(r, c, QTableWidgetItem(value))
        table.resizeColumnsToContents()

    def _on_finished(self, result: JobResult) -> None:
        thread, self.job = self.job, None
        if thread is not None:
            thread.thread.wait()
            thread.deleteLater()
        self._show_results()
        chart = self.out / "results.png" if self.out else None
        if chart is not None and chart.is_file():
            image = cv2.imread(str(chart), cv2.IMREAD_COLOR)
            if image is not None:
                self.view.ablation_chart.set_image(image[..., ::-1].copy())
        self.view.ablation_progress.setText(f"{result.status.value}: {self.out}")
        self.finished.emit(result)
