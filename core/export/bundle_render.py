"""`BundleRenderJob`: speech -> an mp4 of the avatar, from a bundle folder alone.

The bundle's own models and loop drive the live engine's per-frame path offline: the whole
audio goes through the streaming mouth stepper (then flushed, so every frame the audio spans
gets its mouth), and each frame is rendered by the bundle's avatar onto the ping-pong loop, as
`dhstudio live --audio-file` would show it without dropping frames. Written atomically with
the input speech.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.jobs.context import JobContext
from core.jobs.errors import BadInput
from core.jobs.job import Job
from core.jobs.message import Text

AUDIO_RATE = 16000


@dataclass(frozen=True)
class BundleRenderRequest:
    bundle: Path
    audio: Path
    out: Path
    device: str = "cpu"


class BundleRenderJob(Job):
    name = "render"

    def __init__(self, request: BundleRenderRequest) -> None:
        self.req = request

    def run(self, ctx: JobContext) -> Path:
        from core.export.bundle_runtime import bundle_live_parts, open_bundle
        from core.media.audio import read_audio, read_audio_native
        from core.media.mp4_writer import Mp4Writer, for_aac

        r = self.req
        if r.out.suffix.lower() != ".mp4":
            raise BadInput(Text("--out must name an .mp4 file (got {out})", out=r.out))
        audio = read_audio(r.audio)  # the audio model's view: 16 kHz mono
        native = read_audio_native(r.audio)
        sound, sound_rate = for_aac(native.samples, native.rate)  # what the video carries, as it is
        parts = bundle_live_parts(open_bundle(r.bundle, r.device), warmup=1)
        stepper, avatar = parts.stepper, parts.avatar
        mouths = [*stepper.push(audio), *stepper.flush()]
        n_out = max(1, int(np.ceil(len(audio) * avatar.fps / AUDIO_RATE - 1e-9)))
        coeffs = {m.index: m.coeffs for m in mouths}
        ctx.log(f"rendering {n_out} frames ({len(audio) / AUDIO_RATE:.2f} s of audio) from bundle {r.bundle}")
        w, h = avatar.frame_size
        writer = Mp4Writer(r.out, w, h, avatar.fps, sample_rate=sound_rate, channels=sound.shape[1])
        try:
            for j in range(n_out):
                ctx.checkpoint()
                c = coeffs.get(j)
                frame = avatar.idle_frame(j) if c is None else avatar.render(j, c)[0]
                writer.write_frame(frame)
                if j == 0:
                    ctx.preview("render", np.ascontiguousarray(frame[..., ::-1]))
                ctx.progress(j + 1, n_out, "rendering")
            writer.write_audio(sound)
            writer.close()
        except BaseException:
            writer.abort()
            raise
        ctx.artifact(r.out, "video")
        return r.out
