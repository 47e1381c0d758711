"""The audio-to-mouth model as a registry entry: it drives the other kinds.

A project without a trained run gets the speaker-independent prior mapped onto its clips
(`bootstrap`), so render and live work right after `prepare`; training starts from that prior.
"""

from __future__ import annotations

from core.export.job import model_exports
from core.jobs.message import Text
from core.kinds.base import AvatarKind
from core.mouth.config import Audio2MouthConfig
from core.mouth.prior.project_run import map_prior_run
from core.mouth.trainer import make_job

KIND = AvatarKind(
    name="audio2mouth",
    title="Audio-to-mouth model",
    description="Speech -> mouth shape coefficients; drives the lip-sync and Gaussian avatars.",
    config_model=Audio2MouthConfig,
    train=make_job,
    exports=model_exports("core.export.subjects:audio_subject"),
    provides_audio_model=True,
    # the training loss; the held-out loss, mouth r and LMD (audio2mouth/heldout_*); no schedule reported
    curves=("Losses", "Quality"),
    weights=("checkpoints/last.pt",),
    bootstrap=map_prior_run,
    instead={
        "evaluate": Text(
            "Its held-out scores are in the run's summary.json; to score it against baselines per "
            "speaker, run `dhstudio eval-audio --project PROJECT`, or evaluate a lip-sync run with "
            "`dhstudio eval LIPSYNC_RUN --audio-model RUN`."
        ),
        "render": Text("It drives the avatars: render a lip-sync or Gaussian run with --audio-model RUN."),
        "live": Text("It drives the avatars: go live with a lip-sync or Gaussian run and --audio-model RUN."),
    },
)
