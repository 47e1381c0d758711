"""The start page: recent projects with a thumbnail, New/Open, and building the demo project."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from core.jobs.job import JobResult
from studio.gui import i18n
from studio.gui.media_library import media_videos, video_thumbnail
from studio.gui.panel_controller import PanelController
from studio.project import open_project
from ui.start_view import RecentItem, StartView

if TYPE_CHECKING:
    from studio.gui.main_controller import MainController

DEMO_MAX_STEPS = 100  # a demo that trains in about a minute on a laptop CPU


def default_demo_dir() -> Path:
    return Path.home() / "DigitalHumanStudio" / "Demo"


class StartController(PanelController):
    view: StartView

    def __init__(self, view: StartView, main: MainController) -> None:
        super().__init__(view, main)
        self.demo_dir = default_demo_dir()
        self.demo_stages: list | None = None  # None: every stage of the demo job
        self.demo_max_steps = DEMO_MAX_STEPS
        view.new_button.clicked.connect(main.new_project_dialog)
        view.open_button.clicked.connect(main.open_project_dialog)
        view.demo_button.clicked.connect(self.open_demo)
        view.recent_chosen.connect(lambda path: main.open_path(Path(path)))

    def refresh(self) -> None:
        items = []
        for path in self.main.recent.paths():
            try:
                project = open_project(path)
            except Exception:  # a damaged project still shows, by folder name
                project = None
            videos = media_videos(project) if project is not None else []
            when = self.main.recent.last_opened(path)
            items.append(
                RecentItem(
                    name=project.name if project is not None else path.name,
                    path=str(path),
                    last_opened=when.strftime("%Y-%m-%d %H:%M") if when else i18n.tr("earlier"),
                    thumbnail=video_thumbnail(videos[0], 72) if videos else None,
                )
            )
        self.view.set_recent(items)

    def open_demo(self) -> None:
        """Open the demo project, building it first (in the background) when it is not complete."""
        from studio.demo.job import STAGES, DemoJob

        if (self.demo_dir / "project.toml").is_file() and _demo_complete(self.demo_dir, self.demo_stages):
            self.main.open_path(self.demo_dir)
            return
        stages = STAGES if self.demo_stages is None else self.demo_stages
        job = DemoJob(self.demo_dir, max_steps=self.demo_max_steps, stages=stages)
        thread = self.main.start_job(job, self._demo_done)
        if thread is None:
            return
        self.view.set_demo_running(True)
        self.view.demo_status.setText(
            i18n.tr("Building the demo project in {path}…").format(path=self.demo_dir)
        )
        thread.worker.progress.connect(self._demo_progress)

    def _demo_progress(self, step: int, total: int, message: str) -> None:
        if message.startswith("demo:"):
            self.view.demo_progress.setRange(0, max(total, 1))
            self.view.demo_progress.setValue(step)
            self.view.demo_status.setText(
                i18n.tr("Building the demo project: {step}").format(step=message[5:].strip())
            )

    def _demo_done(self, result: JobResult) -> None:
        self.view.set_demo_running(False)
        if result.ok:
            self.view.demo_status.setText("")
            self.main.open_path(self.demo_dir)
        else:
            self.view.demo_status.setText(
                i18n.tr("The demo was not built ({state}).").format(state=i18n.tr(result.status.value))
            )


def _demo_complete(root: Path, stages: list | None) -> bool:
    if stages is not None:  # a partial demo (tests): its project is all there is to wait for
        return True
    runs = root / "runs"
    return runs.is_dir() and sum(1 for p in runs.iterdir() if (p / "status.json").is_file()) >= 3
