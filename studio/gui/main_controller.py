"""Behaviour of the main window: projects, recent list, doctor, about, running jobs."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox, QTreeWidgetItem

from core.jobs.job import Job, JobResult, Status
from core.train.run_folder import RunFolder
from studio import __version__
from studio.doctor import DoctorJob
from studio.gui.job_worker import JobThread
from studio.gui.recent_projects import RecentProjects
from studio.project import Project, ProjectError, create_project, open_project
from ui.doctor_dialog import DoctorDialog
from ui.main_window import MainWindow


class MainController(QObject):
    project_changed = Signal(object)  # Project | None

    def __init__(self, window: MainWindow, recent: RecentProjects | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.recent = recent or RecentProjects()
        self.project: Project | None = None
        self.job: JobThread | None = None
        self.doctor_dialog: DoctorDialog | None = None
        w = window
        w.action_new.triggered.connect(self.new_project_dialog)
        w.welcome_new.clicked.connect(self.new_project_dialog)
        w.action_open.triggered.connect(self.open_project_dialog)
        w.welcome_open.clicked.connect(self.open_project_dialog)
        w.action_quit.triggered.connect(w.close)
        w.action_about.triggered.connect(self.show_about)
        w.action_doctor.triggered.connect(self.show_doctor)
        w.action_open_exports.triggered.connect(self.open_exports_folder)
        w.job_panel.cancel_button.clicked.connect(self.cancel_job)
        w.job_panel.pause_button.toggled.connect(self.pause_job)
        self.training = None  # issue 16: the training panel's controller, built when first shown
        window.training_dock.visibilityChanged.connect(self._open_training_panel)
        self.refresh_recent_menu()

    # projects -----------------------------------------------------------------------------
    def new_project_dialog(self) -> None:
        path = QFileDialog.getSaveFileName(self.window, "New project folder")[0]
        if path:
            self._guarded(lambda: self.set_project(create_project(path)))

    def open_project_dialog(self) -> None:
        path = QFileDialog.getExistingDirectory(self.window, "Open project folder")
        if path:
            self.open_path(Path(path))

    def open_path(self, path: Path) -> bool:
        return self._guarded(lambda: self.set_project(open_project(path)))

    def set_project(self, project: Project) -> None:
        self.project = project
        self.recent.add(project.root)
        self.refresh_recent_menu()
        self.refresh_project_tree()
        self.window.setWindowTitle(f"{project.name} — Digital Human Studio")
        self.window.status_label.setText(f"Project: {project.root}")
        self.window.action_open_exports.setEnabled(True)
        self.project_changed.emit(project)

    def refresh_project_tree(self) -> None:
        tree = self.window.project_tree
        tree.clear()
        if self.project is None:
            return
        media = (
            sorted(p for p in self.project.media_dir.iterdir() if p.is_file())
            if self.project.media_dir.is_dir()
            else []
        )
        media_item = QTreeWidgetItem(tree, ["Media", str(len(media))])
        for path in media:
            QTreeWidgetItem(media_item, [path.name, f"{path.stat().st_size / 2**20:.1f} MiB"])
        clips = QTreeWidgetItem(tree, ["Prepared clips", str(len(self.project.prepared_clips()))])
        for clip in self.project.prepared_clips():
            QTreeWidgetItem(clips, [clip.name, ""])
        runs = QTreeWidgetItem(tree, ["Runs", ""])
        if self.project.runs_dir.is_dir():
            for run in sorted(self.project.runs_dir.iterdir()):
                status = RunFolder(run).read_status()
                QTreeWidgetItem(runs, [run.name, f"{status.get('kind', '?')} · {status.get('state', '?')}"])
        tree.expandAll()

    def refresh_recent_menu(self) -> None:
        menu = self.window.recent_menu
        menu.clear()
        paths = self.recent.paths()
        for p in paths:
            menu.addAction(str(p)).triggered.connect(lambda _=False, p=p: self.open_path(p))
        menu.setEnabled(bool(paths))

    def open_exports_folder(self) -> None:
        if self.project is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.project.exports_dir)))

    # jobs -----------------------------------------------------------------------------------
    def start_job(self, job: Job, on_done=None) -> JobThread | None:
        if self.job is not None:
            QMessageBox.information(
                self.window, "A job is running", "Wait for the running job or cancel it first."
            )
            return None
        panel = self.window.job_panel
        thread = JobThread(job, self)
        worker = thread.worker
        worker.progress.connect(panel.set_progress)
        worker.log.connect(lambda msg, level: panel.append_log(msg if level == "info" else f"{level}: {msg}"))
        worker.artifact.connect(
            lambda path, kind: panel.append_log(f"wrote {kind} {path}".replace("  ", " "))
        )
        worker.metric.connect(
            lambda name, step, value: panel.metrics.setText(f"{name} = {value:.4g} (step {step})")
        )
        worker.refine.connect(lambda event: panel.append_log(event.describe()))
        worker.live_status.connect(lambda status: panel.title.setText(status.describe()))
        worker.failed.connect(lambda msg, bad: self._show_error(msg, bad))
        thread.finished.connect(lambda result: self._job_done(result, on_done))
        panel.set_running(True)
        panel.title.setText(f"Running: {job.name}")
        self.job = thread
        thread.start()
        return thread

    def _job_done(self, result: JobResult, on_done) -> None:
        panel = self.window.job_panel
        panel.set_running(False)
        panel.title.setText(
            {Status.SUCCEEDED: "Done", Status.CANCELLED: "Cancelled", Status.FAILED: "Failed"}[result.status]
        )
        thread, self.job = self.job, None
        if thread is not None:
            thread.thread.wait()
            thread.deleteLater()
        self.refresh_project_tree()
        if on_done is not None:
            on_done(result)

    def cancel_job(self) -> None:
        if self.job is not None:
            self.job.control.cancel()

    def pause_job(self, paused: bool) -> None:
        if self.job is not None:
            (self.job.control.pause if paused else self.job.control.resume)()

    def _open_training_panel(self, visible: bool) -> None:
        """Build the training panel's controller the first time its dock shows (it loads torch)."""
        if not visible or self.training is not None:
            return
        from studio.gui.training_controller import TrainingController

        self.training = TrainingController(self.window.training_view, self.project)
        self.project_changed.connect(self.training.set_project)
        self.training.run_started.connect(lambda _run: self.refresh_project_tree())
        self.training.run_finished.connect(lambda _result: self.refresh_project_tree())

    def shutdown(self) -> None:
        if self.training is not None:
            self.training.shutdown()
        if self.job is not None:
            self.job.stop()

    # help -----------------------------------------------------------------------------------
    def show_doctor(self) -> DoctorDialog:
        dialog = self.doctor_dialog or DoctorDialog(self.window)
        self.doctor_dialog = dialog
        dialog.show()

        def fill(result: JobResult) -> None:
            if result.ok:
                dialog.set_rows([(c.name, c.ok, c.detail) for c in result.value])

        self.start_job(DoctorJob(), fill)
        return dialog

    def show_about(self) -> None:
        QMessageBox.about(
            self.window,
            "About Digital Human Studio",
            f"<b>Digital Human Studio {__version__}</b><p>Train lip-sync and Gaussian head "
            "avatars from a talking-head video and drive them live.</p>",
        )

    def _show_error(self, message: str, bad_input: bool) -> None:
        title = "Please check the input" if bad_input else "The job failed"
        QMessageBox.warning(self.window, title, message)

    def _guarded(self, action) -> bool:
        try:
            action()
            return True
        except ProjectError as exc:
            QMessageBox.warning(self.window, "Cannot open project", str(exc))
            return False
