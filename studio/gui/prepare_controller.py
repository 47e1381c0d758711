"""Preparing a clip from its card: settings, PrepareJob on the worker, live tracking preview, summary.

The job's Preview events go to the worker's newest-preview slot; a QTimer shows the newest one,
so a fast tracker never floods the GUI thread with frames.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject

from core.face.prepare_job import PrepareJob, PrepareSettings
from core.face.prepared import PreparedClip
from core.jobs.errors import BadInput
from core.jobs.job import JobResult, Status
from core.lipsync.geometry import ALLOWED_MOUTH_SIZES
from core.mouth.av_sync import AvSync
from studio.gui import dialogs, i18n
from studio.gui.clip_viewer_controller import sync_text
from studio.gui.media_library import ClipEntry, ClipState
from studio.gui.preview_poller import PreviewPoller
from ui.prepare_view import PrepareDialog, PrepareView

if TYPE_CHECKING:
    from studio.gui.main_controller import MainController


def rate_text(step: int, total: int, elapsed: float) -> str:
    """'123 / 200 frames · 41.2 frames/s · ETA 0:02'."""
    if step <= 0 or elapsed <= 0:
        return f"0 / {total} frames"
    rate = step / elapsed
    eta = int(round((total - step) / rate)) if total > step else 0
    return f"{step} / {total} frames · {rate:.1f} frames/s · ETA {eta // 60}:{eta % 60:02d}"


def summary_text(clip: PreparedClip) -> str:
    found = clip.valid
    out_of_frame = np.asarray(
        clip.manifest["quality"].get("crop_out_of_frame", [False] * clip.frame_count), bool
    )
    flagged = int((~found | out_of_frame).sum())
    seconds = clip.manifest.get("timings", {}).get("total_s", 0)
    audio = "silent audio" if clip.silent_audio else "with audio" if clip.has_audio else "no audio"
    sync = sync_text(clip)
    audio += f" · {sync}" if sync else ""
    return (
        f"<b>{clip.frame_count}</b> frames at {clip.fps:g} fps, {clip.width}×{clip.height} · "
        f"face found in <b>{100 * found.mean():.1f}%</b> · <b>{flagged}</b> flagged frame(s) "
        f"(no face or crop outside the frame) · {audio} · "
        f"mouth {clip.mouth_size} px · took {seconds:.1f} s"
    )


class PrepareController(QObject):
    def __init__(self, main: MainController) -> None:
        super().__init__(main)
        self.main = main
        self.view = PrepareView(main.window)
        self.poller = PreviewPoller(None, 40, self, visible=self.view.isVisible)
        self.poller.changed.connect(self._show_preview)
        self.view.cancel_button.clicked.connect(main.cancel_job)
        self.view.viewer_button.clicked.connect(self._open_viewer)
        self.clip_name = ""
        self._t0 = 0.0
        self.last_result: JobResult | None = None

    def prepare(
        self,
        entry: ClipEntry,
        fps: float | None = None,
        mouth_size: int | None = None,
        av_sync: AvSync = "auto",
    ) -> bool:
        """Ask for the settings (unless given) and start the job; False when nothing was started."""
        project = self.main.project
        if project is None:
            return False
        if fps is None or mouth_size is None:
            dialog = PrepareDialog(entry.name, ALLOWED_MOUTH_SIZES, self.main.window)
            i18n.retranslate(dialog)  # built now: in the interface language like the rest
            if not dialog.exec():
                return False
            fps, mouth_size, av_sync = dialog.values()
        out = project.prepared_dir / entry.name
        trained = (
            i18n.tr(" Runs trained on it would no longer match it.")
            if entry.state is ClipState.TRAINED
            else ""
        )
        if (out / "manifest.json").is_file() and not dialogs.ask(
            self.main.window,
            "Prepare again",
            i18n.tr(
                "'{name}' is prepared already. Prepare it again? The old prepared clip is replaced only "
                "when the new one is complete."
            ).format(name=entry.name)
            + trained,
        ):
            return False
        settings = PrepareSettings(fps=fps, mouth_size=mouth_size, av_sync=av_sync)
        try:
            settings.check()
            project.check_file()  # a damaged project.toml is said now, not after the whole prepare
        except BadInput as exc:
            self.main.show_error(str(exc), True)
            return False
        thread = self.main.start_job(PrepareJob(entry.video, out, settings), self._done)
        if thread is None:
            return False
        self.poller.watch(thread.worker.previews)  # the worker keeps only the newest preview
        self.clip_name = entry.name
        self._t0 = 0.0
        thread.worker.progress.connect(self._progress)
        self.view.start(entry.name)
        self.view.show()
        self.view.raise_()
        self.poller.start()
        return True

    def _show_preview(self, _name: str, image) -> None:
        self.view.preview.set_image(image)

    def _progress(self, step: int, total: int, message: str) -> None:
        now = time.perf_counter()
        if self._t0 == 0.0:
            self._t0 = now - 1e-3  # the first frame is done at this point
        self.view.set_progress(step, total, rate_text(step, total, now - self._t0))

    def _done(self, result: JobResult) -> None:
        self.poller.stop()
        self.last_result = result
        project = self.main.project
        if result.ok and project is not None:
            try:
                project.add_clip(self.clip_name)
            except BadInput as exc:  # project.toml damaged during the prepare: said, never written over
                self.main.show_error(str(exc), True)
            clip = PreparedClip.load(result.value)
            self.view.finish(f"<h3>Prepared '{self.clip_name}'</h3>", summary_text(clip), True)
            self.main.clip_viewer.refresh()
        elif result.status is Status.CANCELLED:
            self.view.finish(
                f"<h3>Cancelled: '{self.clip_name}' was not prepared</h3>", "Nothing was written.", False
            )
        else:
            self.view.finish(
                f"<h3>Preparing '{self.clip_name}' failed</h3>", i18n.tr_message(result.error), False
            )

    def _open_viewer(self) -> None:
        self.view.hide()
        self.main.clip_viewer.show_clip(self.clip_name)

    def shutdown(self) -> None:
        self.poller.timer.stop()
