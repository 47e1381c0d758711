"""The clip viewer: load a prepared clip's frames in the background, scrub them, toggle overlays."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np

from core.face.clip_sync import SoundSyncJob
from core.face.prepared import PreparedClip
from core.jobs.context import JobContext
from core.jobs.job import Job, JobResult
from core.media.decode import iter_frames
from studio.gui import i18n
from studio.gui.clip_overlay import draw_frame, overlay_colours
from studio.gui.panel_controller import PanelController
from studio.gui.workers import BackgroundJob
from ui.clip_viewer_view import ClipViewerView
from ui.sound_sync import SoundSyncDialog

if TYPE_CHECKING:
    from studio.gui.main_controller import MainController

VIEW_HEIGHT = 480  # frames are kept this high (or smaller) for scrubbing
CACHE_BYTES = 768 * 2**20  # beyond this, every k-th frame is kept


@dataclass
class FrameCache:
    indices: list[int]  # clip frame index of each cached frame
    frames: list[np.ndarray]  # BGR, scaled by `scale`
    scale: float


class LoadFramesJob(Job):
    """Decode a prepared clip's video.mp4 once, keeping small copies for the scrubber."""

    name = "load clip frames"

    def __init__(self, clip: PreparedClip) -> None:
        self.clip = clip

    def run(self, ctx: JobContext) -> FrameCache:
        c = self.clip
        scale = min(1.0, VIEW_HEIGHT / c.height)
        size = (max(1, round(c.width * scale)), max(1, round(c.height * scale)))
        stride = max(1, -(-c.frame_count * size[0] * size[1] * 3 // CACHE_BYTES))
        cache = FrameCache([], [], scale)
        for i, frame in enumerate(iter_frames(c.path / "video.mp4", c.fps, c.frame_count)):
            if i % stride == 0:
                small = cv2.resize(frame, size, interpolation=cv2.INTER_AREA) if scale < 1.0 else frame
                cache.indices.append(i)
                cache.frames.append(small)
            if i % 16 == 0:
                ctx.checkpoint()
        return cache


class ClipViewerController(PanelController):
    view: ClipViewerView

    def __init__(self, view: ClipViewerView, main: MainController) -> None:
        super().__init__(view, main)
        self.clip: PreparedClip | None = None
        self.cache: FrameCache | None = None
        self.loader: BackgroundJob | None = None
        self.syncer: BackgroundJob | None = None
        view.clip_combo.currentTextChanged.connect(self.load)
        view.sync_button.clicked.connect(self.change_sync)
        view.slider.valueChanged.connect(self.show_frame)
        for box in view.toggles.values():
            box.toggled.connect(lambda _: self.show_frame(self.view.slider.value()))
        main.project_changed.connect(lambda _: self.refresh())
        view.set_toggle_colours(overlay_colours())

    def refresh(self) -> None:
        """Refill the clip list from the project's prepared clips (keeps the current clip if it remains)."""
        project = self.main.project
        names = [p.name for p in project.prepared_clips()] if project is not None else []
        current = self.view.clip_combo.currentText()
        combo = self.view.clip_combo
        combo.blockSignals(True)
        combo.clear()
        combo.addItems(names)
        combo.blockSignals(False)
        if current in names:
            combo.setCurrentText(current)
            if self.clip is None or not self.clip.path.exists():
                self.load(current)
        elif names:
            self.load(names[0])
        else:
            self._clear()

    def show_clip(self, name: str) -> None:
        self.refresh()
        self.view.clip_combo.setCurrentText(name)
        if self.clip is None or self.clip.name != name:
            self.load(name)
        self.main.window.tabs.setCurrentWidget(self.view)

    def load(self, name: str) -> None:
        project = self.main.project
        if not name or project is None:
            return
        try:
            clip = PreparedClip.load(Path(project.prepared_dir / name))
        except Exception as exc:  # BadInput from a damaged clip: say so, keep the window usable
            self.main.show_error(str(exc), True)
            self._clear()
            return
        if self.loader is not None:
            self.loader.stop()
        self.clip, self.cache = clip, None
        self.view.sync_button.setEnabled(clip.has_audio)
        self.view.set_frame_count(0)
        self.view.info.setText(_facts(clip) + " · " + i18n.tr("loading…"))
        self.view.image.set_image(None)
        self.loader = BackgroundJob(LoadFramesJob(clip), self._loaded, self)

    def _loaded(self, result: JobResult) -> None:
        if not result.ok or self.clip is None:
            if result.error:
                self.main.show_error(result.error, result.bad_input)
            return
        self.cache = result.value
        self._show_facts()
        self.view.set_frame_count(len(self.cache.frames))
        self.show_frame(0)

    def _show_facts(self) -> None:
        clip = self.clip
        found = 100 * clip.valid.mean()
        found_text = i18n.tr("face found in {percent}").format(percent=f"{found:.0f}%")
        sync = sync_text(clip)
        self.view.info.setText(f"{_facts(clip)} · {found_text}" + (f" · {sync}" if sync else ""))

    def change_sync(self) -> SoundSyncDialog | None:
        """Ask for the clip's sound timing and set it (`dhstudio clip sync`) on a background job."""
        if self.clip is None or not self.clip.has_audio or (self.syncer is not None and self.syncer.running):
            return None
        clip = self.clip
        dialog = SoundSyncDialog(clip.name, sync_text(clip), self.view)
        i18n.retranslate(dialog)
        off = clip.av_offset
        dialog.choice.set_value(
            "off" if off.source == "off" else off.offset_ms if off.source == "fixed" else "auto"
        )
        dialog.finished.connect(lambda code: self._sync_chosen(dialog, clip, code))
        dialog.open()
        return dialog

    def _sync_chosen(self, dialog: SoundSyncDialog, clip: PreparedClip, code: int) -> None:
        if code != SoundSyncDialog.DialogCode.Accepted:
            return
        self.view.sync_button.setEnabled(False)
        job = SoundSyncJob(clip.path, dialog.choice.value())
        self.syncer = BackgroundJob(job, lambda result: self._synced(clip, result), self)

    def _synced(self, clip: PreparedClip, result: JobResult) -> None:
        self.view.sync_button.setEnabled(self.clip is not None and self.clip.has_audio)
        if not result.ok:
            if result.error:
                self.main.show_error(result.error, result.bad_input)
            return
        if self.clip is not None and self.clip.path == clip.path:
            try:
                self.clip = PreparedClip.load(clip.path)  # same frames and landmarks, the new timing
            except Exception as exc:  # BadInput: the clip was damaged meanwhile; say so
                self.main.show_error(str(exc), True)
                return
            if self.cache is not None:
                self._show_facts()

    def retranslate(self) -> None:
        """After a language switch: the clip's facts and the frame readout, composed again."""
        if self.clip is None or self.cache is None:
            self.view.frame_label.setText(i18n.tr("frame – / –"))
            return
        self._show_facts()
        self.show_frame(self.view.slider.value())

    def show_frame(self, k: int) -> None:
        if self.cache is None or self.clip is None or not self.cache.frames:
            return
        k = min(max(0, k), len(self.cache.frames) - 1)
        i = self.cache.indices[k]
        s = self.cache.scale
        c = self.clip
        image = draw_frame(
            self.cache.frames[k],
            c.landmarks[i] * s,
            c.face_boxes[i] * s,
            c.mouth_boxes[i] * s,
            self.view.overlays(),
        )
        self.view.image.set_image(image)
        self.view.frame_label.setText(
            i18n.tr("frame {index} / {count}").format(index=i + 1, count=c.frame_count)
            + f" · {i / c.fps:.2f} s"
        )
        self.view.flag_label.setText("" if c.valid[i] else i18n.tr("⚠ no face found in this frame"))
        self.shown_index = i

    def _clear(self) -> None:
        self.clip, self.cache = None, None
        self.view.sync_button.setEnabled(False)
        self.view.set_frame_count(0)
        self.view.info.setText("")
        self.view.frame_label.setText(i18n.tr("frame – / –"))
        self.view.image.set_image(None)

    def shutdown(self) -> None:
        for job in (self.loader, self.syncer):
            if job is not None:
                job.stop()


def sync_text(clip) -> str:
    """The sound-vs-picture offset prepare measured (`core.mouth.av_sync`), in a few words ('': no sound)."""
    if not clip.has_audio:
        return ""
    off = clip.av_offset
    ms = f"{abs(off.offset_ms):.0f}"
    if off.applied and off.offset_ms > 0:
        return i18n.tr("sound {ms} ms behind the picture (re-timed)").format(ms=ms)
    if off.applied and off.offset_ms < 0:
        return i18n.tr("sound {ms} ms ahead of the picture (re-timed)").format(ms=ms)
    if off.source == "off":
        return i18n.tr("sound timing as in the file")
    if off.source == "not measured":
        return i18n.tr("sound timing not measured")
    return i18n.tr("sound and picture in sync")


def _facts(clip) -> str:
    """A prepared clip's length, rate and size, in the interface language."""
    frames = i18n.tr("{count} frames").format(count=clip.frame_count)
    return f"{frames} · {clip.fps:g} fps · {clip.width}×{clip.height}"
