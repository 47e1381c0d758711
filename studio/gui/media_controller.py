"""The media panel: import (menu or drop), clip cards, rename and remove with confirmation."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from core.jobs.errors import BadInput
from core.jobs.job import JobResult
from studio.gui import dialogs, i18n
from studio.gui.media_library import (
    THUMB_HEIGHT,
    ClipEntry,
    ImportMediaJob,
    ReadMediaJob,
    clip_entries,
    remove_clip,
    rename_clip,
    short_reason,
    video_thumbnail,
)
from studio.gui.panel_controller import PanelController
from studio.gui.workers import BackgroundJob
from studio.project import Project
from ui.media_view import CardData, MediaView

if TYPE_CHECKING:
    from studio.gui.main_controller import MainController


class MediaController(PanelController):
    view: MediaView

    def __init__(self, view: MediaView, main: MainController) -> None:
        super().__init__(view, main)
        self.entries: dict[str, ClipEntry] = {}
        self.reader: BackgroundJob | None = None
        view.import_button.clicked.connect(self.import_dialog)
        main.window.action_import.triggered.connect(self.import_dialog)
        main.window.files_dropped.connect(self.import_files)
        main.project_changed.connect(lambda _: self.refresh())
        main.job_finished.connect(lambda _: self.refresh())

    @property
    def project(self) -> Project | None:
        return self.main.project

    def refresh(self) -> None:
        """Cards from what is known now; unread videos are read in the background, then cards refresh."""
        project = self.project
        entries = clip_entries(project, read=False) if project is not None else []
        self.entries = {e.name: e for e in entries}
        pending = [e.video for e in entries if e.pending]
        if pending and (self.reader is None or not self.reader.running):
            self.reader = BackgroundJob(ReadMediaJob(pending, THUMB_HEIGHT), lambda _: self.refresh(), self)
        cards = self.view.set_cards(
            [
                CardData(
                    e.name,
                    e.describe(i18n.tr),
                    e.state.value,
                    None if e.pending else video_thumbnail(e.video, THUMB_HEIGHT),
                    e.prepare_failure,  # recorded by the prepare job in the project
                    short_reason(e.prepare_failure),
                )
                for e in entries
            ]
        )
        for name, card in cards.items():
            card.prepare_button.clicked.connect(
                lambda _=False, n=name: self.main.prepare.prepare(self.entries[n])
            )
            card.view_button.clicked.connect(lambda _=False, n=name: self.main.clip_viewer.show_clip(n))
            card.rename_button.clicked.connect(lambda _=False, n=name: self.rename(n))
            card.remove_button.clicked.connect(lambda _=False, n=name: self.remove(n))
        i18n.retranslate(self.view)  # the cards are new: in the interface language like the rest

    def import_dialog(self) -> None:
        if self.project is None:
            return
        paths = dialogs.open_files(self.main.window, "Import video", dialogs.VIDEO_FILTER)
        if paths:
            self.import_files(paths)

    def import_files(self, paths: list) -> None:
        if self.project is None:
            self.main.show_error("Open or create a project first, then drop the videos on it.", True)
            return
        self.main.start_job(ImportMediaJob(self.project, [Path(p) for p in paths]), self._imported)

    def _imported(self, result: JobResult) -> None:
        if result.ok:
            self.main.window.tabs.setCurrentWidget(self.view)
            self.main.window.status_label.setText(f"Imported {len(result.value)} video(s)")

    def rename(self, name: str) -> None:
        entry = self.entries[name]
        new = dialogs.text(self.main.window, "Rename clip", f"New name for '{name}':", name)
        if new is None or new == name:
            return
        if not dialogs.ask(
            self.main.window,
            "Rename clip",
            i18n.tr(
                "Rename '{name}' to '{new}'? The video and its prepared folder are renamed; "
                "runs keep their names."
            ).format(name=name, new=new),
        ):
            return
        if self._busy():
            return
        try:
            rename_clip(self.project, entry, new)
        except (BadInput, OSError) as exc:
            self.main.show_error(str(exc), True)
        self.refresh()
        self.main.clip_viewer.refresh()

    def remove(self, name: str) -> None:
        entry = self.entries[name]
        if not dialogs.ask(
            self.main.window,
            "Remove clip",
            i18n.tr(
                "Remove '{name}' from the project? This deletes {video} from media/ and its prepared "
                "folder. Trained runs are kept."
            ).format(name=name, video=entry.video.name),
        ):
            return
        if self._busy():
            return
        try:
            remove_clip(self.project, entry)
        except BadInput as exc:
            self.main.show_error(str(exc), True)
        except OSError as exc:
            self.main.show_error(
                f"Could not remove '{name}': {exc}. Close programs using its files and retry."
            )
        self.refresh()
        self.main.clip_viewer.refresh()

    def shutdown(self) -> None:
        if self.reader is not None:
            self.reader.stop()

    def _busy(self) -> bool:
        if self.main.job is not None:
            self.main.show_error(
                "A job is running; wait for it (or cancel it) before renaming or removing clips.", True
            )
            return True
        return False
