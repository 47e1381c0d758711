"""The Export menu: one entry per format the kind registry offers, a dialog, the job, its report.

The formats are `core.kinds.registry.export_formats()` (whatever the kinds register; this module
knows none of them). The job is the run's kind's `export_job`, run on this controller's own
worker thread (progress and log lines in the Jobs panel; every worker signal goes to a method of
this QObject, so it runs on the GUI thread). Afterwards the validation report the export wrote
(a `*report*`/`*validation*` JSON or Markdown among its outputs or in its folder) is shown with
the list of files and an "Open folder" button.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QMenu, QWidget

from core.jobs.errors import BadInput
from core.jobs.job import JobResult, Status
from core.jobs.message import Text
from core.kinds.registry import (
    avatar_kind,
    export_formats,
    export_option_hints,
    export_uses_frame,
    kind_of_run,
)
from core.kinds.requests import ExportRequest
from core.project_layout import ProjectLayout
from core.train.run_folder import RunFolder, RunState, list_runs
from studio.gui import dialogs, i18n
from studio.gui.job_worker import JobThread
from ui.export_dialog import ExportDialog, ExportReportDialog

REPORT_SUFFIXES = (".json", ".md")


def parse_options(text: str) -> dict[str, Any]:
    """`name = value` lines -> options (numbers and true/false parsed); BadInput names a bad line."""
    options: dict[str, Any] = {}
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        line = line.split(" #", 1)[0].strip()  # "name = value   # comment", as the hints read
        if not line or line.startswith("#"):
            continue
        if "=" not in line:
            raise BadInput(Text("export option line {n} {line!r} is not 'name = value'", n=n, line=line))
        name, value = (part.strip() for part in line.split("=", 1))
        try:
            options[name] = json.loads(value.lower() if value.lower() in ("true", "false") else value)
        except json.JSONDecodeError:
            options[name] = value
    return options


def find_reports(outputs: Any, folder: Path) -> list[Path]:
    """Validation reports among the job's outputs or in its folder (newest names first)."""
    paths: list[Path] = []
    if isinstance(outputs, (str, Path)):
        outputs = [outputs]
    if isinstance(outputs, Mapping):
        outputs = list(outputs.values())
    for p in outputs or []:
        if isinstance(p, (str, Path)):
            paths.append(Path(p))
    if folder.is_dir():
        paths += sorted(folder.iterdir())
    seen: list[Path] = []
    for p in paths:
        name = p.name.lower()
        is_report = p.suffix.lower() in REPORT_SUFFIXES and ("report" in name or "validation" in name)
        if is_report and p.is_file() and p not in seen:
            seen.append(p)
    return seen


def report_text(result: JobResult, folder: Path) -> str:
    """What the report dialog shows: the files written, then each report's text."""
    lines = [f"Exported to {folder}", ""]
    value = result.value
    if isinstance(value, Mapping):
        lines += [json.dumps(value, indent=2, default=str), ""]
    elif isinstance(value, (list, tuple)):
        lines += [f"  {p}" for p in value] + [""]
    reports = find_reports(value, folder)
    # a report written both ways is shown as its Markdown (made for people), not its JSON twin
    markdown = {p.with_suffix("") for p in reports if p.suffix == ".md"}
    reports = [p for p in reports if not (p.suffix == ".json" and p.with_suffix("") in markdown)]
    if not reports:
        lines.append("This export wrote no validation report.")
    for path in reports:
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".json":
            with contextlib.suppress(json.JSONDecodeError):
                text = json.dumps(json.loads(text), indent=2)
        lines += [f"── {path.name} ──", text, ""]
    return "\n".join(lines)


def preferred_run(runs: list[Path]) -> Path | None:
    """The run an export dialog pre-selects among `runs` (newest first): the newest one the user
    trained, avatar runs before audio-model runs (their kind `provides_audio_model`), and a run
    made without training (the audio-to-mouth prior, status `made_without_training`) last."""

    def rank(item: tuple[int, Path]) -> tuple[bool, bool, int]:
        age, run = item
        status = RunFolder(run).read_status()
        made = bool(status.get("made_without_training", False))
        audio_model = avatar_kind(status.get("kind", "")).provides_audio_model
        return made, audio_model, age

    return min(enumerate(runs), key=rank)[1] if runs else None


class ExportController(QObject):
    """Fills `menu` with the registry's formats; runs the chosen export on its own worker thread."""

    exported = Signal(object, object)  # JobResult, ExportReportDialog | None

    def __init__(self, parent: QWidget, menu: QMenu, job_panel=None, project_root=lambda: None) -> None:
        super().__init__(parent)
        self.parent_widget = parent
        self.menu = menu
        self.job_panel = job_panel  # ui.job_panel.JobPanel showing progress and log lines, or None
        if job_panel is not None:  # its Cancel and Pause act on the export while one runs
            job_panel.cancel_button.clicked.connect(self.cancel)
            job_panel.pause_button.toggled.connect(self.pause)
        self.project_root = project_root  # () -> Path | None
        self.thread: JobThread | None = None
        self._on_done = None
        self.selected_run: Path | None = None
        self.dialog: ExportDialog | None = None
        self.report_dialog: ExportReportDialog | None = None
        self.actions: dict[str, QAction] = {}
        first = menu.actions()[0] if menu.actions() else None
        for fmt, kinds in export_formats().items():
            action = QAction(f"Export as {fmt}…", parent)
            action.setToolTip(f"for {', '.join(kinds)} runs")
            action.triggered.connect(lambda _=False, fmt=fmt: self.open_dialog(fmt))
            menu.insertAction(first, action)
            self.actions[fmt] = action
        if first is not None:
            menu.insertSeparator(first)
        if self.actions:  # the Export shortcut opens the first format offered for the run
            self.shortcut = QAction("Export…", parent, shortcut=QKeySequence("Ctrl+E"))
            self.shortcut.triggered.connect(self.open_default)
            parent.addAction(self.shortcut)

    def runs_for(self, fmt: str) -> list[Path]:
        root = self.project_root()
        if root is None:
            return []
        offered = set(export_formats().get(fmt, ()))
        out = []
        for info in list_runs(Path(root) / "runs"):
            if info.state is RunState.FINISHED and info.kind in offered:
                out.append(info.path)
        return out

    def open_default(self) -> ExportDialog | None:
        run = self.selected_run
        fmts = list(self.actions)
        if run is not None:
            with contextlib.suppress(BadInput):
                fmts = list(kind_of_run(run).export_formats) or fmts
        return self.open_dialog(fmts[0]) if fmts else None

    def open_dialog(self, fmt: str) -> ExportDialog:
        dialog = self.dialog = ExportDialog(fmt, self.parent_widget)
        dialog.show_format_fields(export_uses_frame(fmt), export_option_hints(fmt))
        runs = self.runs_for(fmt)
        for run in runs:
            dialog.run_combo.addItem(run.name, str(run))
        chosen = self.selected_run if self.selected_run in runs else preferred_run(runs)
        if chosen is not None:
            dialog.run_combo.setCurrentIndex(runs.index(chosen))
        kinds = ", ".join(i18n.tr(avatar_kind(k).title) for k in export_formats().get(fmt, ()))
        note = (
            "{fmt} exports runs of: {kinds}."
            if runs
            else "No finished run in the open project can be exported as {fmt} ({kinds} runs can): "
            "train one in the Training tab first."
        )
        dialog.note.setText(i18n.tr(note).format(fmt=fmt, kinds=kinds))
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(runs))  # the note says why
        dialog.run_combo.currentIndexChanged.connect(lambda _=0: self._default_out(dialog))
        dialog.browse_button.clicked.connect(lambda: self._browse(dialog))
        dialog.accepted.connect(lambda: self.export(dialog))
        self._default_out(dialog)
        i18n.retranslate(dialog)  # built after the last language switch: its labels, in the language now
        dialog.open()
        return dialog

    def _default_out(self, dialog: ExportDialog) -> None:
        run, root = dialog.run_combo.currentData(), self.project_root()
        if run and root is not None:
            dialog.out_edit.setText(str(ProjectLayout(Path(root)).run_export(Path(run).name, dialog.fmt)))

    def _browse(self, dialog: ExportDialog) -> None:
        path = QFileDialog.getExistingDirectory(dialog, "Export into folder")
        if path:
            dialog.out_edit.setText(path)

    def export(self, dialog: ExportDialog):
        """Build the request from the dialog and run the kind's export job."""
        try:
            run = dialog.run_combo.currentData()
            if not run:
                raise BadInput(Text("choose a run to export as {fmt}", fmt=dialog.fmt))
            out = Path(dialog.out_edit.text().strip())
            if not str(out) or str(out) == ".":
                raise BadInput(Text("choose an output folder"))
            kind = kind_of_run(Path(run))
            force = dialog.force_check.isChecked()
            if out.exists() and not force:  # e.g. the default folder after an earlier export of the run
                if not dialogs.ask(
                    self.parent_widget,
                    "Replace the export",
                    i18n.tr(
                        "{out} exists already. Replace it? The old folder is replaced only when the new "
                        "export is complete and validated."
                    ).format(out=out),
                ):
                    return None
                force = True
            request = ExportRequest(
                Path(run),
                out,
                frame=dialog.frame_spin.value(),
                force=force,
                options=parse_options(dialog.options_edit.toPlainText()),
            )
            job = kind.export_job(dialog.fmt, request)
            kind.check_weights(Path(run))
        except BadInput as exc:
            dialogs.warn(self.parent_widget, "Please check the export", str(exc))
            return None
        return self.start_job(job, lambda result: self._done(result, dialog.fmt, out))

    def start_job(self, job, on_done) -> JobThread | None:
        """Run the export on a worker thread. Every signal goes to a method of this QObject (it
        lives on the GUI thread, so Qt queues the call there); a lambda would run on the worker."""
        if self.thread is not None:
            dialogs.inform(self.parent_widget, "An export is running", i18n.tr("Wait for it to finish."))
            return None
        thread = self.thread = JobThread(job, self)
        self._on_done = on_done
        thread.worker.progress.connect(self._progress)
        thread.worker.log.connect(self._log)
        thread.worker.artifact.connect(self._artifact)
        thread.finished.connect(self._finished)
        if self.job_panel is not None:
            self.job_panel.set_running(True)
            self.job_panel.title.setText(i18n.tr("Running: {name}").format(name=job.name))
        thread.start()
        return thread

    def _progress(self, step: int, total: int, message: str) -> None:
        if self.job_panel is not None:
            self.job_panel.set_progress(step, total, message)

    def _log(self, message: str, level: str) -> None:
        if self.job_panel is not None:
            self.job_panel.append_log(message if level == "info" else f"{level}: {message}")

    def _artifact(self, path: str, kind: str) -> None:
        self._log(f"wrote {kind} {path}", "info")

    def _finished(self, result: JobResult) -> None:
        thread, self.thread = self.thread, None
        if thread is not None:
            thread.thread.wait()
            thread.deleteLater()
        if self.job_panel is not None:
            self.job_panel.set_running(False)
            self.job_panel.title.setText(
                i18n.tr("Export done")
                if result.ok
                else i18n.tr("Cancelled")
                if result.status is Status.CANCELLED
                else i18n.tr("Export failed: {error}").format(error=i18n.tr_message(result.error))
            )
        on_done, self._on_done = self._on_done, None
        if on_done is not None:
            on_done(result)

    def cancel(self) -> None:
        """The Jobs panel's Cancel while an export runs: it stops at its next step, writing nothing."""
        if self.thread is not None:
            self.thread.control.resume()
            self.thread.control.cancel()

    def pause(self, paused: bool) -> None:
        if self.thread is not None:
            (self.thread.control.pause if paused else self.thread.control.resume)()

    def shutdown(self) -> None:
        if self.thread is not None:
            self.thread.stop()

    def _done(self, result: JobResult, fmt: str, out: Path) -> None:
        """The report dialog (not modal: the window stays usable): the report, or what went wrong."""
        if result.ok:
            title, text = f"Export as {fmt}: report", report_text(result, out)
        elif result.status is Status.CANCELLED:
            title = f"Export as {fmt}: cancelled"
            text = i18n.tr("Cancelled: nothing was written to {path}.").format(path=out)
        else:
            what = "Please check the export" if result.bad_input else "The export failed"
            title, text = (
                f"Export as {fmt}: {what.lower()}",
                f"{i18n.tr(what)}:\n\n{i18n.tr_message(result.error)}",
            )
        report = self.report_dialog = ExportReportDialog(title, text, self.parent_widget)
        report.open_button.setEnabled(out.is_dir())
        report.open_button.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(out))))
        i18n.retranslate(report)
        report.open()
        self.exported.emit(result, report)
