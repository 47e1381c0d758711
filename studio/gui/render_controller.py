"""Render and watch: a trained avatar + an audio file -> the kind's render job -> play it in the studio.

The job comes from the avatar-kind registry (`kind_of_run(run).render_job(...)`), the same path
`dhstudio render` takes; the GUI adds only the choosing and the playing.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt

from core.jobs.context import JobContext
from core.jobs.errors import BadInput
from core.jobs.job import Job, JobResult
from core.jobs.message import Text
from core.kinds.audio_model import resolve_audio_run
from core.kinds.registry import kind_of_run
from core.kinds.requests import RenderRequest
from studio.gui import dialogs, i18n
from studio.gui.panel_controller import PanelController
from studio.gui.run_summary import project_runs
from studio.project import safe_name
from ui.render_view import RenderView

if TYPE_CHECKING:
    from studio.gui.main_controller import MainController

AUDIO_SUFFIXES = (".wav", ".mp3", ".m4a", ".flac", ".ogg", ".aac", ".mp4")


class RenderWithAudioModel(Job):
    """The kind's render job, its audio model chosen first as `dhstudio render` and Live choose it (the
    one picked, else the project's newest, else the prior mapped onto the project's clips); on the job's
    thread, since making the prior reads the prepared clips."""

    name = "render"

    def __init__(self, request: RenderRequest) -> None:
        self.request = request

    def run(self, ctx: JobContext) -> Any:
        kind = kind_of_run(self.request.run)
        audio_run = resolve_audio_run(self.request.run, self.request.audio_run, kind)
        return kind.render_job(replace(self.request, audio_run=audio_run)).run(ctx)


class RenderController(PanelController):
    view: RenderView

    def __init__(self, view: RenderView, main: MainController) -> None:
        super().__init__(view, main)
        self.last_output: Path | None = None
        view.browse_button.clicked.connect(self.browse_audio)
        view.render_button.clicked.connect(self.render)
        view.videos.itemActivated.connect(lambda item: self.play(Path(item.data(Qt.ItemDataRole.UserRole))))
        view.videos.itemClicked.connect(lambda item: self.play(Path(item.data(Qt.ItemDataRole.UserRole))))
        main.project_changed.connect(lambda _: self.refresh())

    def refresh(self) -> None:
        project = self.main.project
        v = self.view
        keep_run, keep_audio = v.run_combo.currentData(), v.audio_model_combo.currentData()
        v.run_combo.clear()
        v.audio_model_combo.clear()
        v.videos.clear()
        if project is None:
            return
        finished = [r for r in project_runs(project.runs_dir) if r.state == "finished"]
        for r in finished:
            try:
                kind = kind_of_run(r.path)
            except BadInput:
                continue
            if "render" in kind.actions:
                v.run_combo.addItem(f"{r.name}  ({i18n.tr(kind.title)})", str(r.path))
            if r.kind == "audio2mouth":
                v.audio_model_combo.addItem(r.name, str(r.path))
        for combo, keep in ((v.run_combo, keep_run), (v.audio_model_combo, keep_audio)):
            index = combo.findData(keep)
            if index >= 0:
                combo.setCurrentIndex(index)
        v.render_button.setEnabled(v.run_combo.count() > 0)
        if v.run_combo.count() == 0:
            i18n.set_text(v.status, "No finished avatar run yet: train a lip-sync or Gaussian avatar first.")
        elif not v.progress.isVisible():
            v.status.setText("")
        self.refresh_videos()

    def refresh_videos(self) -> None:
        project = self.main.project
        self.view.videos.clear()
        if project is None:
            return
        found = sorted(project.exports_dir.rglob("*.mp4")) + sorted(project.runs_dir.glob("*/*.mp4"))
        for path in sorted(found, key=lambda p: p.stat().st_mtime, reverse=True):
            self.view.videos.addItem(str(path.relative_to(project.root)))
            item = self.view.videos.item(self.view.videos.count() - 1)
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            item.setToolTip(str(path.relative_to(project.root)))  # the list elides long names

    def browse_audio(self) -> None:
        path = dialogs.open_file(self.main.window, "Audio to speak", dialogs.AUDIO_FILTER)
        if path is not None:
            self.view.audio_edit.setText(str(path))

    def render(self) -> bool:
        project = self.main.project
        v = self.view
        if project is None or v.run_combo.currentData() is None:
            return False
        run = Path(v.run_combo.currentData())
        audio = Path(v.audio_edit.text().strip()) if v.audio_edit.text().strip() else None
        audio_run = Path(v.audio_model_combo.currentData()) if v.audio_model_combo.currentData() else None
        try:
            if audio is None:
                raise BadInput(Text("Choose an audio file to speak (wav, mp3 or m4a) with Browse…."))
            if not audio.is_file():
                raise BadInput(
                    Text(
                        "Audio file not found: {audio}. Choose an existing wav, mp3 or m4a file.", audio=audio
                    )
                )
            out = self._output_path(project.exports_dir / "renders", run, audio)
            kind_of_run(run)  # an unknown run is refused here, before a job starts
            job = RenderWithAudioModel(RenderRequest(run, audio, out, audio_run=audio_run))
        except BadInput as exc:
            self.main.show_error(str(exc), True)
            return False
        thread = self.main.start_job(job, lambda result: self._done(result, out))
        if thread is None:
            return False
        v.progress.setVisible(True)
        v.progress.setRange(0, 0)
        v.render_button.setEnabled(False)
        v.status.setText(i18n.tr("Rendering {name}…").format(name=out.name))
        thread.worker.progress.connect(self._progress)
        return True

    def _progress(self, step: int, total: int, message: str) -> None:
        if total > 0:
            self.view.progress.setRange(0, total)
            self.view.progress.setValue(step)

    def _done(self, result: JobResult, out: Path) -> None:
        v = self.view
        v.progress.setVisible(False)
        self.refresh()  # an audio model the render made is offered from now on
        if result.ok and out.is_file():
            self.last_output = out
            v.status.setText(f"Rendered {out.name}")
            self.refresh_videos()
            self.play(out)
        else:
            v.status.setText(f"Not rendered ({result.status.value}).")

    def play(self, path: Path) -> None:
        self.view.player.load(str(path))
        self.main.window.tabs.setCurrentWidget(self.view)

    @staticmethod
    def _output_path(folder: Path, run: Path, audio: Path) -> Path:
        stem = f"{safe_name(run.name)}-{safe_name(audio.stem)}"
        out, k = folder / f"{stem}.mp4", 2
        while out.exists():
            out, k = folder / f"{stem}-{k}.mp4", k + 1
        return out

    def shutdown(self) -> None:
        self.view.player.stop()
