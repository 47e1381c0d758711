"""Behaviour of the main window: projects, the one running user job, closing, doctor and about.

Each panel has its own controller (start, media, prepare, clip viewer, runs, render); this one
creates them, hands them the open project and runs their jobs one at a time on a QThread.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication

from core.jobs.events import LiveStatus, RefineStep
from core.jobs.job import Job, JobResult, Status
from studio import __version__
from studio.doctor import DoctorJob
from studio.gui import dialogs, i18n
from studio.gui.clip_viewer_controller import ClipViewerController
from studio.gui.gui_gc import GuiThreadCollector
from studio.gui.job_worker import JobThread, connect_worker
from studio.gui.media_controller import MediaController
from studio.gui.prepare_controller import PrepareController
from studio.gui.recent_projects import RecentProjects
from studio.gui.render_controller import RenderController
from studio.gui.runs_controller import RunsController
from studio.gui.start_controller import StartController
from studio.project import Project, ProjectError, create_project, open_project
from ui.doctor_dialog import DoctorDialog
from ui.main_window import APP_TITLE, MainWindow

JOB_STATE_TEXT = {Status.SUCCEEDED: "Done", Status.CANCELLED: "Cancelled", Status.FAILED: "Failed"}


ABOUT = "Train lip-sync and Gaussian head avatars from a talking-head video and drive them live."


class MainController(QObject):
    project_changed = Signal(object)  # Project | None
    job_finished = Signal(object)  # JobResult of the user job that just ended
    runs_changed = Signal()  # a training run started or finished: panels listing runs re-read them

    def __init__(self, window: MainWindow, recent: RecentProjects | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.collector = GuiThreadCollector(self)  # no Qt object may be collected on a worker
        self.recent = recent or RecentProjects()
        self.project: Project | None = None
        self.job: JobThread | None = None
        self.doctor_dialog: DoctorDialog | None = None
        self._close_when_idle = False
        # what else runs jobs in this window (training, live, export): each returns its running
        # JobThread or None, so closing asks about and cancels every one of them
        self.job_sources: list[Callable[[], JobThread | None]] = [
            lambda: self.training.active if self.training is not None else None
        ]
        self._closing = QTimer(self)
        self._closing.setInterval(100)
        self._closing.timeout.connect(self._close_if_idle)
        w = window
        w.action_new.triggered.connect(self.new_project_dialog)
        w.action_open.triggered.connect(self.open_project_dialog)
        w.action_close_project.triggered.connect(self.close_project)
        w.action_quit.triggered.connect(w.close)
        w.action_about.triggered.connect(self.show_about)
        w.action_doctor.triggered.connect(self.show_doctor)
        w.action_open_exports.triggered.connect(self.open_exports_folder)
        w.job_panel.cancel_button.clicked.connect(self.cancel_job)
        w.job_panel.pause_button.toggled.connect(self.pause_job)
        w.close_guard = self.confirm_close
        # back in this window (from another studio window or program): show what changed meanwhile
        QGuiApplication.instance().focusWindowChanged.connect(self._focus_changed)
        self.start = StartController(w.start_view, self)
        self.media = MediaController(w.media_view, self)
        self.prepare = PrepareController(self)
        self.clip_viewer = ClipViewerController(w.clip_viewer, self)
        self.runs = RunsController(w.runs_view, self)
        self.render = RenderController(w.render_view, self)
        self.training = None  # the training panel's controller, built when its tab is first shown
        w.tabs.currentChanged.connect(self._tab_shown)
        w.action_train.triggered.connect(self.toggle_training)
        self.refresh_recent_menu()

    # projects -----------------------------------------------------------------------------
    def new_project_dialog(self) -> None:
        path = dialogs.save_folder(self.window, "New project folder")
        if path is not None:
            self.guarded(lambda: self.set_project(create_project(path)))

    def open_project_dialog(self) -> None:
        path = dialogs.existing_folder(self.window, "Open project folder")
        if path is not None:
            self.open_path(path)

    def open_path(self, path: Path) -> bool:
        return self.guarded(lambda: self.set_project(open_project(path)))

    def set_project(self, project: Project) -> None:
        if self._job_blocks("open another project"):
            return
        self.project = project
        self.recent.add(project.root)
        self.refresh_recent_menu()
        self.window.setWindowTitle(f"{project.name} — {APP_TITLE}")
        self.show_project_status()
        self.window.action_open_exports.setEnabled(True)
        self.window.set_project_actions(True)
        self.window.show_project()
        self.project_changed.emit(project)

    def show_project_status(self) -> None:
        """The status bar's project line, in the interface language (again after a language switch)."""
        p = self.project
        text = i18n.tr("Project: {path}").format(path=p.root) if p is not None else i18n.tr("No project open")
        self.window.status_label.setText(text)

    def retranslate(self) -> None:
        """After a language switch: the texts composed with a path, a kind's title or a clip's facts,
        composed again."""
        self.show_project_status()
        self.start.refresh()  # the recent projects' "last opened"
        self.media.refresh()
        self.clip_viewer.retranslate()
        self.runs.refresh()  # the state column
        self.render.refresh()

    def _focus_changed(self, focused) -> None:
        if focused is not None and focused is self.window.windowHandle():
            self.reread_project()

    def reread_project(self) -> None:
        """Back in this window: show what another studio window or a `dhstudio` command changed in the
        project meanwhile (clips imported, prepared, renamed or removed; runs trained or deleted)."""
        if self.project is None:
            return
        self.media.refresh()
        self.clip_viewer.refresh()
        self.runs.refresh()
        self.render.refresh()
        if self.training is not None:
            self.training.fill_clips()

    def close_project(self) -> None:
        if self.project is None or self._job_blocks("close the project"):
            return
        self.project = None
        self.window.setWindowTitle(APP_TITLE)
        self.show_project_status()
        self.window.action_open_exports.setEnabled(False)
        self.window.set_project_actions(False)
        self.window.show_start()
        self.project_changed.emit(None)

    def _job_blocks(self, action: str) -> bool:
        """A running job writes into the open project: say so instead of switching under it."""
        if self.job is None or self.project is None:
            return False
        self.show_error(
            f"'{self.job.worker.job.name}' is still running in this project. Wait for it or cancel it in the "
            f"Jobs panel, then {action}.",
            True,
        )
        return True

    def refresh_recent_menu(self) -> None:
        menu = self.window.recent_menu
        menu.clear()
        paths = self.recent.paths()
        for p in paths:
            menu.addAction(str(p)).triggered.connect(lambda _=False, p=p: self.open_path(p))
        menu.setEnabled(bool(paths))
        self.start.refresh()

    def open_exports_folder(self) -> None:
        if self.project is not None:
            self.open_folder(self.project.exports_dir)

    def open_folder(self, path: Path) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    # the user job -----------------------------------------------------------------------------
    def start_job(self, job: Job, on_done: Callable[[JobResult], None] | None = None) -> JobThread | None:
        """Run `job` on a worker thread with the Jobs panel showing it; one at a time."""
        if self.job is not None:
            dialogs.warn(
                self.window,
                "A job is running",
                f"'{self.job.worker.job.name}' is still running. Wait for it or cancel it in the Jobs panel.",
            )
            return None
        panel = self.window.job_panel
        thread = JobThread(job, self)
        connect_worker(
            thread.worker,
            progress=panel.set_progress,
            log=self._log,
            artifact=self._artifact,
            metric=self._metric,
            refine=self._refine,
            live_status=self._live_status,
            failed=self._failed,
        )
        thread.finished.connect(lambda result: self._job_done(result, on_done))
        panel.set_running(True)
        panel.set_progress(0, 0, "")  # busy until the job reports a total (not the last job's bar)
        panel.title.setText(i18n.tr("Running: {name}").format(name=job.name))
        self.job = thread
        thread.start()
        return thread

    def _log(self, message: str, level: str) -> None:
        self.window.job_panel.append_log(message if level == "info" else f"{level}: {message}")

    def _failed(self, message: str, bad_input: bool) -> None:
        """The reason stays in the Jobs log after the dialog is closed."""
        self.window.job_panel.append_log(f"error: {i18n.tr_message(message)}")
        self.show_error(message, bad_input)

    def _artifact(self, path: str, kind: str) -> None:
        self.window.job_panel.append_log(f"wrote {kind} {path}".replace("  ", " "))

    def _metric(self, name: str, step: int, value: float) -> None:
        self.window.job_panel.set_metrics(
            i18n.tr("{name} = {value} (step {step})").format(name=name, value=f"{value:.4g}", step=step)
        )

    def _refine(self, event: RefineStep) -> None:
        self.window.job_panel.append_log(event.describe())

    def _live_status(self, status: LiveStatus) -> None:
        self.window.job_panel.title.setText(status.describe())

    def _job_done(self, result: JobResult, on_done: Callable[[JobResult], None] | None) -> None:
        panel = self.window.job_panel
        panel.set_running(False)
        panel.title.setText(i18n.tr(JOB_STATE_TEXT[result.status]))
        thread, self.job = self.job, None
        if thread is not None:
            # each job's end replaces the status bar (the job's own callback may say more below)
            self.window.status_label.setText(
                f"{i18n.tr(JOB_STATE_TEXT[result.status])}: {thread.worker.job.name}"
            )
            thread.thread.wait()
            thread.deleteLater()
        if on_done is not None:
            on_done(result)
        self.job_finished.emit(result)

    def cancel_job(self) -> None:
        if self.job is not None:
            self.job.control.cancel()

    def pause_job(self, paused: bool) -> None:
        if self.job is not None:
            (self.job.control.pause if paused else self.job.control.resume)()

    def running_jobs(self) -> list[JobThread]:
        """Every job running in this window: the user job, a training run or ablation, live, an export."""
        jobs = [self.job, *(source() for source in self.job_sources)]
        return [j for j in jobs if j is not None]

    def confirm_close(self) -> bool:
        """The window may close now; with jobs running, ask, cancel them and close once they have stopped."""
        jobs = self.running_jobs()
        if not jobs:
            self.shutdown()
            return True
        if self._close_when_idle:
            return False  # already cancelling
        names = ", ".join(f"'{j.worker.job.name}'" for j in jobs)
        question = (
            "{names} is still running. Cancel it and close the studio?"
            if len(jobs) == 1
            else "{names} are still running. Cancel them and close the studio?"
        )
        kept = (
            "Nothing half-written is kept: each job stops at its next step (a training run saves a "
            "checkpoint you can continue from)."
        )
        if not dialogs.ask(
            self.window, "A job is running", f"{i18n.tr(question).format(names=names)}\n\n{i18n.tr(kept)}"
        ):
            return False
        self._close_when_idle = True
        self.window.status_label.setText(i18n.tr("Cancelling the running job, then closing…"))
        for job in jobs:
            job.control.resume()
            job.control.cancel()
        self._closing.start()
        return False

    def _close_if_idle(self) -> None:
        """While closing: close once every cancelled job has ended (each controller's own finish ran)."""
        if not self.running_jobs():
            self._closing.stop()
            self.window.close()

    def _tab_shown(self, _index: int) -> None:
        """Build the training panel's controller the first time its tab shows (it loads torch)."""
        if self.window.tabs.currentWidget() is not self.window.training_view:
            return
        if self.training is not None:
            self.training.fill_clips()  # clips prepared since the panel was built
            return
        from studio.gui.training_controller import TrainingController

        self.training = TrainingController(self.window.training_view, self.project)
        self.project_changed.connect(self.training.set_project)
        self.training.run_started.connect(self._training_changed_runs)
        self.training.run_finished.connect(self._training_changed_runs)

    def toggle_training(self) -> None:
        """Start/Stop Training (Ctrl+T): show the training tab; once it shows, start its run or stop it."""
        if self.project is None:
            return
        if self.window.tabs.currentWidget() is not self.window.training_view or self.training is None:
            self.window.tabs.setCurrentWidget(self.window.training_view)  # builds the panel the first time
            return
        training = self.training
        if training.active is not None:
            training.stop()
        elif self.window.training_view.start_button.isEnabled():
            training.start()

    def _training_changed_runs(self, _what: object) -> None:
        self.runs.refresh()
        self.render.refresh()
        self.runs_changed.emit()

    def shutdown(self) -> None:
        if self.training is not None:
            self.training.shutdown()
        if self.job is not None:
            self.job.stop()
        for controller in (self.media, self.clip_viewer, self.prepare, self.render):
            controller.shutdown()
        self.collector.stop()

    # help -----------------------------------------------------------------------------------
    def show_doctor(self) -> DoctorDialog:
        if self.doctor_dialog is None:
            self.doctor_dialog = DoctorDialog(self.window)
            i18n.retranslate(self.doctor_dialog)  # built after any language switch so far
        dialog = self.doctor_dialog
        dialog.show()

        def fill(result: JobResult) -> None:
            if result.ok:
                dialog.set_rows([(c.name, c.ok, c.detail) for c in result.value])

        self.start_job(DoctorJob(), fill)
        return dialog

    def show_about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.about(
            self.window,
            i18n.tr("About Digital Human Studio"),
            f"<b>Digital Human Studio {__version__}</b><p>{i18n.tr(ABOUT)}</p>",
        )

    def show_error(self, message: str, bad_input: bool = False) -> None:
        """A failed job or bad input: the message names the problem and the fix."""
        title = "Please check the input" if bad_input else "The job failed"
        dialogs.warn(self.window, title, message)

    def guarded(self, action: Callable[[], object]) -> bool:
        """Run a quick GUI-thread action; bad input becomes a dialog, never a crash."""
        from core.jobs.errors import BadInput

        try:
            action()
            return True
        except ProjectError as exc:
            dialogs.warn(self.window, "Cannot open project", str(exc))
        except (BadInput, OSError) as exc:
            self.show_error(str(exc), True)
        return False
