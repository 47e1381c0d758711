"""Held-out evaluation of a Gaussian avatar (self-reenactment on the clip's last frames).

Each held-out frame is rendered on its tracked mesh (never trained on) at the training
resolution and compared with the face crop, both with the background outside the face mask
(the part of the image the avatar models): PSNR, SSIM, and LPIPS only when its weights are found
(otherwise the string "unavailable" and the reason), twice: over the full image (``psnr``,
``ssim``, ``lpips``; the shared background counts, as in the 3DGS literature) and over the tracked
face mask only (``face_psnr``, ``face_ssim``; ``face_lpips`` on the mask's bounding box), the
figure that separates configurations, since the background is most of the crop
(``face_fraction`` says how much is face). Also: Gaussian count, training time and render
frames/s (forward only, median over the held-out frames after one warm-up render).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from core.gaussians.render.base import Renderer
from core.gaussians.render.select import select_renderer
from core.gaussians.train.bundle import Avatar, avatar_path, load_bundle
from core.gaussians.train.data import AvatarData
from core.gaussians.train.masks import FACE_BIT
from core.gaussians.train.source import load_clip_data
from core.gaussians.train.step import Frame, masked_target, render_frame, sample_verts
from core.io.claim import ClipReads
from core.jobs.context import JobContext
from core.jobs.errors import BadInput
from core.jobs.job import Job
from core.jobs.message import Text
from core.metrics.lpips import load_lpips, lpips_distance
from core.metrics.psnr import psnr
from core.metrics.region import crop, mask_box, masked_psnr, masked_ssim
from core.metrics.ssim import ssim
from core.train.run_folder import RunFolder
from core.weights import find_lpips


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def evaluate_avatar(
    avatar: Avatar,
    data: AvatarData,
    renderer: Renderer,
    device: torch.device,
    background: tuple[float, float, float],
    lpips_path: str | None = None,
    max_frames: int = 0,
    on_frame: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Scores over the held-out frames (all, or the first ``max_frames``).

    ``on_frame(done, total)`` is called before each frame and after the last: a job reports
    progress and checks its cancel token there.
    """
    search = find_lpips(lpips_path)
    lp = load_lpips(search.files, device) if search.files is not None else None
    faces = data.faces.to(device)
    frames = [int(f) for f in data.test_ids]
    if max_frames:
        frames = frames[:max_frames]
    psnrs, ssims, lpipss, times = [], [], [], []
    face_psnrs, face_ssims, face_lpipss, fractions = [], [], [], []

    def render(sample: int) -> Frame:
        verts = sample_verts(data, sample, avatar.innovations, device)
        camera = data.camera_of(sample).to(device)
        return render_frame(
            avatar.bound, verts, faces, camera, renderer, avatar.sh_degree, background, avatar.innovations
        )

    with torch.no_grad():
        render(frames[0])  # warm-up
        for i, f in enumerate(frames):
            if on_frame is not None:
                on_frame(i, len(frames))
            _sync(device)
            t0 = time.perf_counter()
            fr = render(f)
            _sync(device)
            times.append(time.perf_counter() - t0)
            image = fr.image.clamp(0.0, 1.0)
            camera = data.camera_of(f).to(device)
            target = masked_target(data, f, camera, background, device)
            face = (data.labels(camera.width, camera.height)[f] & FACE_BIT).bool().to(device)
            psnrs.append(psnr(image, target))
            ssims.append(ssim(image, target))
            face_psnrs.append(masked_psnr(image, target, face))
            face_ssims.append(masked_ssim(image, target, face))
            fractions.append(float(face.float().mean()))
            if lp is not None:
                lpipss.append(lpips_distance(lp, image, target))
                box = mask_box(face)
                face_lpipss.append(lpips_distance(lp, crop(image, box), crop(target, box)))
    if on_frame is not None:
        on_frame(len(frames), len(frames))
    return {
        "psnr": statistics.fmean(psnrs),
        "ssim": statistics.fmean(ssims),
        "lpips": statistics.fmean(lpipss) if lp is not None else "unavailable",
        "face_psnr": statistics.fmean(face_psnrs),
        "face_ssim": statistics.fmean(face_ssims),
        "face_lpips": statistics.fmean(face_lpipss) if lp is not None else "unavailable",
        "face_fraction": statistics.fmean(fractions),
        "lpips_note": "" if lp is not None else "weights not found: " + search.describe(),
        "gaussians": avatar.count,
        "train_seconds": avatar.train_seconds,
        "steps": avatar.steps,
        "render_fps": 1.0 / statistics.median(times),
        "frames": len(frames),
        "resolution": data.resolution,
        "renderer": renderer.name,
        "device": str(device),
    }


def evaluate_run(
    run_dir: Path | str,
    device: torch.device,
    renderer: str = "auto",
    lpips_path: str | None = None,
    on_frame: Callable[[int, int], None] | None = None,
    reads: ClipReads | None = None,  # the job's: holds the avatar's clip until the job ends
) -> dict[str, Any]:
    """Load ``RUN/avatar.pt`` and its clip and evaluate; returns the scores (the registry writes them)."""
    avatar = load_bundle(avatar_path(run_dir), device)
    if reads is not None:
        reads.hold(avatar.clip)
    data = load_clip_data(avatar.clip, avatar.config.data)
    selection = select_renderer(renderer, device)
    scores = evaluate_avatar(
        avatar, data, selection.renderer, device, avatar.config.data.background, lpips_path, on_frame=on_frame
    )
    return scores


class GaussianEvalJob(Job):
    """`dhstudio eval RUN` for a Gaussian run: returns the figures; the kind registry writes them."""

    name = "evaluate gaussian avatar"

    def __init__(self, run_dir: Path | str, device: torch.device, renderer: str = "auto") -> None:
        self.run_dir, self.device, self.renderer = Path(run_dir), device, renderer

    def run(self, ctx: JobContext) -> dict[str, Any]:
        kind = RunFolder(self.run_dir).kind
        if kind != "gaussian":
            raise BadInput(
                Text(
                    "{run_dir} is a {kind} run, not a Gaussian avatar run",
                    run_dir=self.run_dir,
                    kind=kind or "unknown",
                )
            )

        def on_frame(done: int, total: int) -> None:
            ctx.progress(done, total, "evaluating held-out frames")
            ctx.checkpoint()  # Ctrl-C / Stop: no further frame is rendered

        # the figures are written by EvalFiguresJob
        with ClipReads("evaluation", "evaluate the run") as reads:
            return evaluate_run(self.run_dir, self.device, self.renderer, on_frame=on_frame, reads=reads)
