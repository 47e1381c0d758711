"""The 3D Gaussian head avatar as a registry entry."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.gaussians.train.config import GaussianConfig
from core.gaussians.train.trainer import make_job
from core.jobs.job import Job
from core.kinds.base import AvatarKind
from core.kinds.requests import EvalRequest, ExportRequest, RenderRequest

if TYPE_CHECKING:
    from core.realtime.job import LiveRequest


def _eval(req: EvalRequest) -> Job:
    from core.device import resolve_device
    from core.gaussians.train.evaluate import GaussianEvalJob

    return GaussianEvalJob(req.run, resolve_device(req.device))  # figures written by the kind


def _render(req: RenderRequest) -> Job:
    from core.gaussians.train.render_audio import GaussianAudioRenderJob, GaussianRenderRequest

    return GaussianAudioRenderJob(
        GaussianRenderRequest(
            req.run, req.audio, req.out, req.audio_run, req.device, audio_backend=req.backend
        )
    )


def _live(req: LiveRequest) -> Job:
    from core.gaussians.train.live import gaussian_live_parts
    from core.realtime.job import LiveJob

    return LiveJob(req, gaussian_live_parts)


def _ply(req: ExportRequest) -> Job:
    from core.gaussians.train.export_ply import PlyExportJob

    return PlyExportJob(req.run, req.out, req.frame, req.force)


KIND = AvatarKind(
    name="gaussian",
    title="Gaussian head avatar",
    description="3D Gaussians bound to the tracked face mesh; gsplat on CUDA, the own rasterizer on the CPU.",
    config_model=GaussianConfig,
    train=make_job,
    evaluate=_eval,
    render=_render,
    live=_live,
    exports={"ply": _ply},
    posed_exports=("ply",),
    uses_audio_model=True,
    viewport=True,
    curves=("Losses", "Quality", "Learning rate", "Gaussians"),  # the count, refine marks on it
    weights=("avatar.pt",),
)
