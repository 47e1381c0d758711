"""The lip-sync video avatar (DINet family) as a registry entry."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.export.job import model_exports
from core.jobs.job import Job
from core.kinds.base import AvatarKind
from core.kinds.requests import EvalRequest, ExportRequest, RenderRequest
from core.lipsync.train_config import DinetTrainConfig
from core.lipsync.trainer import make_job

if TYPE_CHECKING:
    from core.realtime.job import LiveRequest


def _eval(req: EvalRequest) -> Job:
    from core.lipsync.evaluate import EvalJob
    from core.lipsync.evaluate import EvalRequest as LipsyncEval

    return EvalJob(LipsyncEval(req.run, req.audio_run, req.clip, req.device, req.limit))


def _render(req: RenderRequest) -> Job:
    from core.lipsync.paste_back import PasteSettings
    from core.lipsync.render import RenderJob
    from core.lipsync.render import RenderRequest as LipsyncRender

    return RenderJob(
        LipsyncRender(
            req.run,
            req.audio,
            req.out,
            req.audio_run,
            req.clip,
            req.device,
            paste=PasteSettings(color_match=req.color_match),
            backend=req.backend,
        )
    )


def _bundle(req: ExportRequest) -> Job:
    from core.export.bundle import BundleExportJob

    return BundleExportJob(req)


def _web(req: ExportRequest) -> Job:
    from core.export.web import WebExportJob

    return WebExportJob(req)


def _live(req: LiveRequest) -> Job:
    from core.realtime.job import LiveJob

    return LiveJob(req)


KIND = AvatarKind(
    name="dinet",
    title="Lip-sync video avatar",
    description="Your video replayed with the mouth re-rendered by DINet (full or mini) to match new speech.",
    config_model=DinetTrainConfig,
    train=make_job,
    evaluate=_eval,
    render=_render,
    live=_live,
    exports={**model_exports("core.export.subjects:renderer_subject"), "bundle": _bundle, "web": _web},
    export_options={
        "bundle": (
            "precision = fp32   # or int8",
            "audio_run = PROJECT/runs/RUN   # the audio-to-mouth run; default: the newest finished one",
        ),
        "web": (
            "precision = int8   # or fp32",
            "audio_run = PROJECT/runs/RUN   # the audio-to-mouth run; default: the newest finished one",
            "jpeg_quality = 90",
        ),
    },
    uses_audio_model=True,
    weights=("checkpoints/last.pt",),
)
