"""The Gaussian viewport: the run's latest checkpoint on a clip frame, orbited with the mouse.

Rendering runs on one background thread at a small size (gsplat on a CUDA GPU when its test render
works there, the project's PyTorch rasterizer otherwise: ``select_renderer("auto")``, as the doctor
checks), newest request wins: while one image renders, further mouse moves only
replace the pending request, so the GUI thread never waits on a render. The finished image goes
into a newest-value slot that a GUI-thread poller reads, as job previews do: the render thread
emits no Qt signal (a Python signal emitted off the GUI thread can deadlock against it, see
studio.gui.job_worker).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import shiboken6
import torch
from PySide6.QtCore import QObject

from core.gaussians.binding import world_on_mesh
from core.gaussians.camera import Camera
from core.gaussians.orbit import OrbitView, orbit_camera
from core.gaussians.render.base import CompositeOptions, GaussiansWorld, RenderOptions
from core.gaussians.render.select import select_renderer
from core.gaussians.train.config import GaussianConfig
from core.gaussians.train.params import to_bound
from core.gaussians.train.source import load_clip_mesh
from core.jobs.preview_slot import PreviewSlot
from core.train.checkpoint import load_checkpoint
from studio.gui import gui_gc
from studio.gui.preview_poller import PreviewPoller
from ui.gaussian_viewport import GaussianViewport

CHECKPOINT = "last.pt"  # core.gaussians.train.trainer.CHECKPOINT
POLL_MS = 15  # how often the GUI thread looks for a finished render while one is under way


@dataclass(frozen=True)
class ViewState:
    yaw: float = 0.0
    pitch: float = 0.0
    zoom: float = 1.0
    pan: tuple[float, float] = (0.0, 0.0)  # fractions of the image
    frame: int = 0
    points: bool = False
    size: int = 192


class GaussianScene:
    """A checkpoint's Gaussians and the clip's mesh per frame (Qt-free, CPU)."""

    def __init__(self, checkpoint: Path, clip: Path, config: GaussianConfig) -> None:
        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        selection = select_renderer("auto", device)
        if selection.renderer.name != "gsplat":
            device = torch.device("cpu")
        ckpt = load_checkpoint(checkpoint, map_location=device)
        self.step = int(ckpt.get("step", 0))
        self.bound = to_bound(ckpt["params"], ckpt["extras"])
        self.mesh = load_clip_mesh(clip, config.data, device)
        self.renderer = selection.renderer
        self.reason = selection.reason

    @property
    def count(self) -> int:
        return int(self.bound.binding.shape[0])

    def render(self, view: ViewState) -> np.ndarray:
        frame = min(max(view.frame, 0), self.mesh.frame_count - 1)
        verts = self.mesh.verts[frame].to(self.bound.local_means)
        with torch.no_grad():
            g = world_on_mesh(self.bound, verts, self.mesh.faces)
            center = verts.mean(dim=0)
            radius = float((verts - center).norm(dim=-1).max())
            if view.points:  # small round opaque dots at the Gaussian centres
                g = GaussiansWorld(
                    g.means,
                    g.quats,
                    torch.full_like(g.scales, radius * 0.006),
                    torch.ones_like(g.opacities),
                    g.sh,
                )
            orbit = OrbitView(
                view.yaw, view.pitch, fov_deg=30.0 / view.zoom, width=view.size, height=view.size
            )
            cam = orbit_camera(center, orbit, radius=radius)
            K = cam.K.clone()
            K[0, 2] += view.pan[0] * view.size
            K[1, 2] += view.pan[1] * view.size
            cam = Camera(cam.viewmat, K, cam.width, cam.height)
            out = self.renderer.render(
                g,
                cam,
                RenderOptions(composite=CompositeOptions(background=(0.1, 0.1, 0.1)), render_depth=False),
            )
        return np.ascontiguousarray((out.colors.clamp(0, 1) * 255 + 0.5).to(torch.uint8).cpu().numpy())


class GaussianViewportController(QObject):
    def __init__(self, view: GaussianViewport, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.state = ViewState()
        self.scene: GaussianScene | None = None
        self._source: tuple[Path, Path, GaussianConfig] | None = None
        self._mtime = 0.0
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="viewport")
        self._pool_open = True
        # renders allocate on the pool's thread: no collection there until the pool is shut down
        gui_gc.hold_while(lambda: self._pool_open and shiboken6.isValid(self))
        self._lock = threading.Lock()
        self._busy = False
        self._pending: tuple[bool, ViewState] | None = None  # (reload scene, view)
        self.renders = 0
        # (image or None, frame, info) of the newest finished render, read on the GUI thread
        self._rendered: PreviewSlot[tuple[np.ndarray | None, int, str]] = PreviewSlot()
        self._poller = PreviewPoller(self._rendered, POLL_MS, self)
        self._poller.changed.connect(self._on_rendered)
        view.view.orbit.connect(
            lambda dx, dy: self._update(yaw=self.state.yaw + dx, pitch=self.state.pitch - dy)
        )
        view.view.pan.connect(
            lambda dx, dy: self._update(pan=(self.state.pan[0] + dx, self.state.pan[1] + dy))
        )
        view.view.zoom.connect(lambda f: self._update(zoom=min(max(self.state.zoom * f, 0.25), 8.0)))
        view.frame_changed.connect(lambda f: self._update(frame=f))
        view.mode_changed.connect(lambda mode: self._update(points=mode == "points"))
        view.reset_requested.connect(lambda: self._update(yaw=0.0, pitch=0.0, zoom=1.0, pan=(0.0, 0.0)))

    def attach(self, run_dir: Path, clip: Path, config: GaussianConfig) -> None:
        """Follow a Gaussian run: its checkpoint is re-read whenever :meth:`refresh` finds it changed."""
        self._source = (Path(run_dir), Path(clip), config)
        self._mtime = 0.0
        self.scene = None

    def refresh(self) -> bool:
        """Re-render when the run wrote a newer checkpoint; False when there is none yet or no change."""
        if self._source is None:
            return False
        path = self._source[0] / "checkpoints" / CHECKPOINT
        try:
            mtime = path.stat().st_mtime
        except FileNotFoundError:
            return False
        if mtime == self._mtime:
            return False
        self._mtime = mtime
        self._request(reload=True)
        return True

    def _update(self, **changes) -> None:
        self.state = replace(self.state, **changes)
        if self.scene is not None or self._source is not None:
            self._request(reload=False)

    def _request(self, reload: bool) -> None:
        with self._lock:
            if self._busy:
                keep = self._pending[0] if self._pending else False
                self._pending = (reload or keep, self.state)
                return
            self._busy = True
        self._poller.start()
        self._pool.submit(self._render, reload, self.state)

    def _render(self, reload: bool, state: ViewState) -> None:
        """On the render thread: render, then whatever was asked for meanwhile (newest only)."""
        while True:
            rendered = self._render_once(reload, state)
            with self._lock:
                pending, self._pending = self._pending, None
                if pending is None:
                    self._busy = False
            if rendered is not None:  # put after `_busy` is settled: the poller stops on an idle one
                self._rendered.put(rendered)
            if pending is None:
                return
            reload, state = pending

    def _render_once(self, reload: bool, state: ViewState) -> tuple[np.ndarray | None, int, str] | None:
        try:
            if (reload or self.scene is None) and self._source is not None:
                run_dir, clip, config = self._source
                self.scene = GaussianScene(run_dir / "checkpoints" / CHECKPOINT, clip, config)
            if self.scene is not None:
                image = self.scene.render(state)
                info = (
                    f"step {self.scene.step} · {self.scene.count} Gaussians · "
                    f"{self.scene.mesh.frame_count} frames · {self.scene.renderer.name} renderer"
                )
                return image, state.frame, info
        except Exception as exc:  # a checkpoint replaced mid-read: the next refresh tries again
            return None, state.frame, f"viewport: {type(exc).__name__}: {exc}"
        return None

    def _on_rendered(self, _name: str, rendered: tuple[np.ndarray | None, int, str]) -> None:
        """On the GUI thread: show it; stop polling once no render is under way."""
        self._show(*rendered)
        with self._lock:
            idle = not self._busy
        if idle:
            self._poller.timer.stop()

    def _show(self, image, frame: int, info: str) -> None:
        if self.scene is not None:
            self.view.set_frame_count(self.scene.mesh.frame_count)
        if image is None:
            self.view.info.setText(info)
            return
        self.renders += 1
        self.view.show_render(image, frame, info)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._pool_open = False
        if shiboken6.isValid(self._poller):
            self._poller.timer.stop()
