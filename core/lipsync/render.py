"""`RenderJob`: new speech -> the user's video with a re-rendered mouth, as an mp4 with that speech.

audio (16 kHz) -> audio-to-mouth model -> mouth coefficients per video frame -> landmarks in
each source frame's head pose -> mouth shape maps -> renderer (cached reference features)
-> feathered, colour-matched paste-back. The source frames play forward, then backward,
then forward... (ping-pong) until the audio ends, so any audio length is covered without a
jump cut. The output has exactly as many frames as the audio spans at the clip's rate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.face.prepared import PreparedClip
from core.jobs.context import JobContext
from core.jobs.errors import BadInput
from core.jobs.job import Job
from core.lipsync.inference import RenderSession, load_renderer
from core.lipsync.paste_back import PasteSettings
from core.media.mp4_writer import Mp4Writer

AUDIO_RATE = 16000


def ping_pong(frame_count: int, n_out: int) -> np.ndarray:
    """Source frame per output frame: 0, 1, ..., N-1, N-2, ..., 1, 0, 1, ... ([n_out] int64)."""
    if frame_count < 1:
        raise ValueError("need at least one source frame")
    if frame_count == 1:
        return np.zeros(n_out, np.int64)
    period = 2 * (frame_count - 1)
    k = np.arange(n_out) % period
    return np.where(k < frame_count, k, period - k).astype(np.int64)


def load_audio(path: Path | str) -> np.ndarray:
    """Mono float32 samples at 16 kHz from a WAV (or any audio PyAV can decode)."""
    from core.audio.resample import resample

    path = Path(path)
    if not path.is_file():
        raise BadInput(f"Audio file not found: {path}. Give a WAV (or mp3/m4a) file with the speech.")
    if path.suffix.lower() == ".wav":
        from core.media.wav import read_wav

        try:
            samples, rate = read_wav(path)
        except BadInput:
            samples, rate = _decode_av(path)
    else:
        samples, rate = _decode_av(path)
    if samples.size == 0:
        raise BadInput(f"{path} holds no audio samples.")
    return resample(samples, rate, AUDIO_RATE)


def _decode_av(path: Path) -> tuple[np.ndarray, int]:
    import av

    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise BadInput(f"{path} has no audio stream.")
            stream = container.streams.audio[0]
            chunks = [
                f.to_ndarray().astype(np.float32).reshape(f.to_ndarray().shape[0], -1)
                for f in container.decode(stream)
            ]
            rate = int(stream.rate)
            fmt = stream.format.name if stream.format else ""
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise BadInput(f"{path} is not a readable audio file ({exc}).") from None
    if not chunks:
        return np.zeros(0, np.float32), rate
    planar = fmt.endswith("p")
    data = np.concatenate(chunks, axis=1)
    mono = data.mean(axis=0) if planar else data.reshape(-1)
    if fmt.startswith("s16"):
        mono = mono / 32768.0
    elif fmt.startswith("s32"):
        mono = mono / 2147483648.0
    return mono.astype(np.float32), rate


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


class RenderJob(Job):
    name = "render"

    def __init__(self, request: RenderRequest) -> None:
        self.req = request

    def run(self, ctx: JobContext) -> Path:
        from core.device import resolve_device
        from core.mouth.loader import load_audio2mouth
        from core.mouth.metrics import predicted_landmarks

        r = self.req
        device = resolve_device(r.device)
        audio = load_audio(r.audio)
        renderer = load_renderer(r.renderer_run, device)
        clip = PreparedClip.load(r.clip_dir or renderer.clip_dir())
        bundle = load_audio2mouth(r.audio_model_run, device=str(device))
        if abs(bundle.fps - clip.fps) > 1e-3:
            raise BadInput(
                f"the audio-to-mouth model was trained at {bundle.fps:g} fps but clip '{clip.name}' is "
                f"{clip.fps:g} fps; train the audio model on clips prepared at {clip.fps:g} fps."
            )
        n_out = max(1, int(np.ceil(len(audio) * clip.fps / AUDIO_RATE - 1e-9)))
        ctx.log(
            f"rendering {n_out} frames ({len(audio) / AUDIO_RATE:.2f} s of audio) over clip '{clip.name}' "
            f"({clip.frame_count} frames, ping-pong)"
        )
        coeffs = bundle.predict(audio, n_out)
        src = ping_pong(clip.frame_count, n_out)
        driving = predicted_landmarks(bundle.space, coeffs, clip.landmarks[src])
        session = RenderSession(renderer, clip, device, r.paste)
        frames = clip.read_frames()
        writer = Mp4Writer(r.out, clip.width, clip.height, clip.fps, sample_rate=AUDIO_RATE)
        try:
            for start in range(0, n_out, r.batch):
                ctx.checkpoint()
                idx = src[start : start + r.batch]
                out = session.render(
                    [frames[i] for i in idx], clip.face_boxes[idx], driving[start : start + r.batch]
                )
                for f in out:
                    writer.write_frame(f)
                if start == 0:
                    ctx.preview("render", np.ascontiguousarray(out[0][..., ::-1]))
                ctx.progress(min(start + r.batch, n_out), n_out, "rendering")
            writer.write_audio(audio)
            writer.close()
        except BaseException:
            writer.abort()
            raise
        ctx.metric("render/frames", n_out, n_out)
        ctx.artifact(r.out, "video")
        return r.out
