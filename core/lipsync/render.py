"""`RenderJob`: new speech -> the user's video with a re-rendered mouth, as an mp4 with that speech.

audio (any file, through the one reader `core.media.audio`) -> the one audio stepper
(`core.mouth.streaming`, as live) -> mouth coefficients per video frame -> the one frame path
(`core.lipsync.inference.LipSyncFrames`, as live and eval): landmarks in each source frame's
head pose -> mouth shape maps -> renderer (cached reference features) -> feathered,
colour-matched paste-back. The clip's frames with a face play as a ping-pong loop
(`core.lipsync.source_loop`) until the audio ends, so any audio length is covered without a
jump cut. The output has exactly as many frames as the audio spans at the clip's rate.

Faithful output: the frames keep the clip's resolution (the source video's, as prepared), and
the sound track is the input audio at its own rate and channels (AAC; 48 kHz stereo stays 48 kHz
stereo); the 16 kHz mono view of the same file only feeds the audio model. How visible the
paste is (flicker, tint and seam on the feather band against the source frames,
`core.metrics.paste`) is reported as ``render/paste_*`` metrics and returned in the log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.face.prepared import PreparedClip
from core.io.claim import ClipReads
from core.jobs.context import JobContext
from core.jobs.errors import BadInput
from core.jobs.job import RequestJob
from core.jobs.message import Text
from core.lipsync.inference import load_renderer, open_frames
from core.lipsync.paste_back import PasteSettings, frame_alpha
from core.lipsync.source_loop import SourceLoop, frames_within
from core.media.audio import read_audio, read_audio_native
from core.media.mp4_writer import Mp4Writer, for_aac
from core.metrics.paste import PasteFidelity

AUDIO_RATE = 16000


@dataclass
class RenderRequest:
    renderer_run: Path
    audio: Path
    out: Path
    audio_model_run: Path
    clip_dir: Path | None = None  # default: the clip the renderer was trained on
    device: str = "cpu"
    batch: int = 8
    paste: PasteSettings = field(default_factory=PasteSettings)
    backend: str = "auto"  # crop backend (core.lipsync.crop_backends.CHOICES)


class RenderJob(RequestJob[RenderRequest]):
    name = "render"

    def run(self, ctx: JobContext) -> Path:
        with ClipReads("render", "render") as reads:  # the clip, held to the end
            return self._render(ctx, reads)

    def _render(self, ctx: JobContext, reads: ClipReads) -> Path:
        from core.device import resolve_device
        from core.mouth.loader import load_audio2mouth

        r = self.req
        device = resolve_device(r.device)
        audio = read_audio(r.audio)  # the audio model's view: 16 kHz mono
        native = read_audio_native(r.audio)
        sound, sound_rate = for_aac(native.samples, native.rate)  # what the video carries
        renderer = load_renderer(r.renderer_run, device)
        clip_dir = r.clip_dir or renderer.clip_dir()
        reads.hold(clip_dir)
        clip = PreparedClip.load(clip_dir)
        bundle = load_audio2mouth(r.audio_model_run, device=str(device))
        if abs(bundle.fps - clip.fps) > 1e-3:
            raise BadInput(
                Text(
                    "the audio-to-mouth model was trained at {model_fps:g} fps but clip "
                    "'{clip_name}' is {clip_fps:g} fps; train the audio model on clips prepared at "
                    "{clip_fps:g} fps.",
                    model_fps=bundle.fps,
                    clip_name=clip.name,
                    clip_fps=clip.fps,
                )
            )
        n_out = max(1, int(np.ceil(len(audio) * clip.fps / AUDIO_RATE - 1e-9)))
        ctx.progress(0, n_out, "rendering")  # the total is known: bars show 0% until the first frames
        # only the frames the output shows are loaded (n_out when the clip is longer than the
        # speech: the same output), and no more than fit the loop's memory budget
        cap = frames_within(clip.width, clip.height)
        loop = SourceLoop.from_clip(clip, max_frames=min(n_out, cap))
        capped = f"; at most {cap} held at {clip.width}x{clip.height}" if len(loop) == cap < n_out else ""
        ctx.log(
            f"rendering {n_out} frames ({len(audio) / AUDIO_RATE:.2f} s of audio) over clip '{clip.name}' "
            f"({len(loop)} frames with a face, ping-pong{capped})"
        )
        coeffs = bundle.predict(audio, n_out)
        src = loop.indices(n_out)
        painter = open_frames(renderer, clip, loop, device, bundle.space, r.paste, r.backend)
        ctx.log(f"renderer backend {painter.backend_reason}")
        writer = Mp4Writer(
            r.out, clip.width, clip.height, clip.fps, sample_rate=sound_rate, channels=sound.shape[1]
        )
        fidelity = PasteFidelity()
        try:
            for start in range(0, n_out, r.batch):
                ctx.checkpoint()
                ks = src[start : start + r.batch]
                out, _ = painter.render_coeffs(ks, coeffs[start : start + r.batch])
                for k, f in zip(ks, out, strict=True):
                    writer.write_frame(f)
                    source, box = loop.frames[k], loop.boxes[k]
                    fidelity.add(
                        f, source, frame_alpha(source.shape, box, painter.geometry, alpha=painter.alpha)
                    )
                if start == 0:
                    ctx.preview("render", np.ascontiguousarray(out[0][..., ::-1]))
                ctx.progress(min(start + r.batch, n_out), n_out, "rendering")
            writer.write_audio(sound)
            writer.close()
        except BaseException:
            writer.abort()
            raise
        ctx.metric("render/frames", n_out, n_out)
        if fidelity.frames >= 2:
            paste = fidelity.result()
            for name, value in paste.items():
                ctx.metric(f"render/{name}", n_out, value)
            ctx.log(
                "paste-back on its feather band: flicker {paste_flicker:.2f} levels added "
                "(ratio {paste_flicker_ratio:.2f}), colour shift {paste_color_shift:.2f} levels, "
                "seam ratio {paste_seam_ratio:.2f}".format(**paste)
            )
        ctx.artifact(r.out, "video")
        return r.out
