"""The media panel: import (menu or drop), clip cards, rename and remove with confirmation.

A clip a job of another studio window or a `dhstudio` command holds (`core.io.claim`: a prepare
writing its folder, or a training, evaluation, render, export or live session reading it) is
neither renamed nor removed: a dialog names those jobs and what to do.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import TYPE_CHECKING

from core.io.claim import Claim, InUse, claim_marker, users
from core.jobs.errors import BadInput
from core.jobs.job import JobResult
from core.jobs.message import Text
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


def _where(claim: Claim) -> str:
    if claim.host == socket.gethostname():
        return i18n.tr("another studio window or a `dhstudio` command")
    return i18n.tr("a studio or `dhstudio` command on {host}").format(host=claim.host)


def _join(items: list[str]) -> str:
    """A list in the interface language ("a; b; c" in English, full-width semicolons in Chinese)."""
    text = items[0]
    for item in items[1:]:
        text = i18n.tr("{list}; {item}").format(list=text, item=item)
    return text


def in_use_text(clip_folder: Path, claims: Claim | list[Claim], action: str) -> str:
    """`core.io.claim.in_use_message` in the interface language; `action` is an English template
    with {clip} ("remove '{clip}'"). Several claims: the readers holding the clip (two trainings...)."""
    claims = [claims] if isinstance(claims, Claim) else list(claims)
    name = clip_folder.name
    again = i18n.tr(action).format(clip=name)
    if len(claims) == 1:
        claim = claims[0]
        text = i18n.tr(
            "'{clip}' is in use: its {job} is running in {where} (process {pid}, since {time}). Wait for "
            "the {job} to finish or cancel it in the other window (Ctrl+C for a `dhstudio` command), then "
            "{action} again."
        ).format(
            clip=name,
            job=i18n.tr(claim.job),
            where=_where(claim),
            pid=claim.pid,
            time=claim.since(),
            action=again,
        )
    else:
        running = [
            i18n.tr("its {job} is running in {where} (process {pid}, since {time})").format(
                job=i18n.tr(c.job), where=_where(c), pid=c.pid, time=c.since()
            )
            for c in claims
        ]
        text = i18n.tr(
            "'{clip}' is in use: {jobs}. Wait for these jobs to finish or cancel them in the other windows "
            "(Ctrl+C for a `dhstudio` command), then {action} again."
        ).format(clip=name, jobs=_join(running), action=again)
    for claim in claims:
        if claim.host != socket.gethostname():
            text += i18n.tr(" If nothing runs on {host} any more, delete {marker}.").format(
                host=claim.host, marker=claim_marker(clip_folder, claim)
            )
    return text


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
            self.main.show_error(Text("Open or create a project first, then drop the videos on it."), True)
            return
        self.main.start_job(ImportMediaJob(self.project, [Path(p) for p in paths]), self._imported)

    def _imported(self, result: JobResult) -> None:
        if result.ok:
            self.main.window.tabs.setCurrentWidget(self.view)
            self.main.window.status_label.setText(f"Imported {len(result.value)} video(s)")

    def rename(self, name: str) -> None:
        entry = self.entries[name]
        if self._in_use(name, "rename '{clip}'"):
            return
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
        except InUse as exc:  # claimed since the question was asked
            self._show_in_use(exc.target, list(exc.holders), "rename '{clip}'")
        except (BadInput, OSError) as exc:
            self.main.show_error(str(exc), True)
        self.refresh()
        self.main.clip_viewer.refresh()

    def remove(self, name: str) -> None:
        entry = self.entries[name]
        if self._in_use(name, "remove '{clip}'"):
            return
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
        except InUse as exc:
            self._show_in_use(exc.target, list(exc.holders), "remove '{clip}'")
        except BadInput as exc:
            self.main.show_error(str(exc), True)
        except OSError as exc:
            self.main.show_error(
                Text(
                    "Could not remove '{name}': {exc}. Close programs using its files and retry.",
                    name=name,
                    exc=exc,
                )
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

    def _in_use(self, name: str, action: str) -> bool:
        """Said before asking: a job of another window or process holds the clip. A job of this
        window is `_busy`'s to say (after the question, as before)."""
        if self.main.job is not None or self.project is None:
            return False
        folder = self.project.prepared_dir / name
        claims = users(folder)  # a prepare writing it, or the jobs reading it
        if not claims:
            return False
        self._show_in_use(folder, claims, action)
        return True

    def _show_in_use(self, folder: Path, claims: list[Claim], action: str) -> None:
        dialogs.warn(self.main.window, "Clip in use", in_use_text(folder, claims, action))
        self.refresh()
