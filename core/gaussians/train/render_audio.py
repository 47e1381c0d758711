"""Audio-driven rendering of a Gaussian avatar: `dhstudio render RUN --audio WAV --out OUT.mp4`.

audio (16 kHz) -> the audio-to-mouth model -> mouth coefficients per video frame -> mouth + jaw
landmarks reconstructed in the mouth space and put into the tracked landmarks of the source
frame (head pose kept) -> lifted to the 3D mesh exactly as the training mesh was
(:func:`core.gaussians.mesh.mediapipe_mesh.lift_landmarks`) and corrected as the avatar was trained
on that source frame (its per-frame mesh correction, when the run fine-tuned the mesh) -> the
bound Gaussians follow the deformed triangles -> render in the training crop -> composited over
the source frame with the render's alpha. Source frames play forward and backward (ping-pong) to
cover the audio; the mp4 carries the new audio.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch

from core.device import resolve_device
from core.face.prepared import PreparedClip
from core.gaussians.mesh.mediapipe_mesh import estimated_intrinsics, lift_landmarks
from core.gaussians.render.select import select_renderer
from core.gaussians.train.bundle import avatar_path, load_bundle
from core.gaussians.train.data import crop_camera, select_frames, square_crop
from core.gaussians.train.step import render_frame
from core.io.claim import ClipReads
from core.jobs.context import JobContext
from core.jobs.errors import BadInput
from core.jobs.job import RequestJob
from core.jobs.message import Text
from core.media.mp4_writer import Mp4Writer
from core.mouth.space import MouthSpace

AUDIO_RATE = 16000


def paste(
    frame_bgr: np.ndarray,
    crop_rgb: np.ndarray,
    alpha: np.ndarray,
    crop: tuple[int, int, int],
    feather: float = 0.0,
) -> np.ndarray:
    """Composite a rendered crop (RGB [R, R, 3] premultiplied on black, alpha [R, R]) into a frame.

    `feather` > 0 blurs the alpha (sigma = feather x side) and scales the colour with it, so the
    render's edge fades into the frame instead of ending at the silhouette."""
    x0, y0, side = crop
    h, w = frame_bgr.shape[:2]
    fg = cv2.resize(crop_rgb[..., ::-1].astype(np.float32), (side, side), interpolation=cv2.INTER_LINEAR)
    a = cv2.resize(alpha.astype(np.float32), (side, side), interpolation=cv2.INTER_LINEAR)
    if feather > 0:
        soft = cv2.GaussianBlur(a, (0, 0), sigmaX=max(feather * side, 0.3))
        fg = fg * (np.minimum(soft, a) / np.maximum(a, 1e-6))[..., None]  # premultiplied: scale with alpha
        a = np.minimum(soft, a)
    a = a[..., None]
    sx0, sy0, sx1, sy1 = max(x0, 0), max(y0, 0), min(x0 + side, w), min(y0 + side, h)
    out = frame_bgr.astype(np.float32)
    if sx1 > sx0 and sy1 > sy0:
        f = fg[sy0 - y0 : sy1 - y0, sx0 - x0 : sx1 - x0]
        al = a[sy0 - y0 : sy1 - y0, sx0 - x0 : sx1 - x0]
        out[sy0:sy1, sx0:sx1] = f * 255.0 + (1.0 - al) * out[sy0:sy1, sx0:sx1]
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


class GaussianFrames:
    """The one per-frame Gaussian path, shared by `dhstudio render` and `dhstudio live`.

    (source frame k, mouth coefficients [K]) -> the source frame with the avatar's face rendered
    over it: mouth + jaw decoded in the mouth space and put into frame k's tracked landmarks,
    lifted to the mesh, corrected as the avatar was trained on frame k, bound Gaussians rendered
    in the training crop, pasted with the render's alpha (`feather` > 0 softens that alpha's edge
    by a blur of `feather` x the crop side).
    """

    def __init__(
        self,
        run: Path,
        space: MouthSpace | None,  # None: set before the first render (live loads it after the clip)
        device: torch.device,
        renderer: str = "auto",
        max_frames: int | None = None,
        reads: ClipReads | None = None,  # the job's: holds the avatar's clip until the job ends
    ) -> None:
        self.device = device
        self.avatar = avatar = load_bundle(avatar_path(run), device)
        if avatar.config.data.mesh != "mediapipe":
            raise BadInput(
                Text(
                    "{run} is bound to the {mesh} mesh; speech drives the "
                    "MediaPipe face mesh, so render a video from an avatar trained with data.mesh = "
                    '"mediapipe".',
                    run=run,
                    mesh=avatar.config.data.mesh,
                )
            )
        if reads is not None:
            reads.hold(avatar.clip)
        self.clip = clip = PreparedClip.load(avatar.clip)
        self.space = space
        self.fps = float(clip.fps)
        self.frame_size = (int(clip.width), int(clip.height))
        self.K = estimated_intrinsics(clip.width, clip.height).numpy()
        cfg = avatar.config.data
        use, _ = select_frames(clip.valid, cfg.max_frames, cfg.holdout)
        self.crop = square_crop(clip.face_boxes[use], cfg.crop_margin, clip.width, clip.height)
        self.camera = crop_camera(self.K, np.eye(4), self.crop, cfg.resolution).to(device)
        self.renderer = select_renderer(renderer, device).renderer
        self.faces = avatar.bound.binding.new_tensor(np.asarray(_faces(), np.int64))
        from core.lipsync.source_loop import frames_within

        # the source frames are held decoded: at most a memory budget's worth (a long 1080p or 4K
        # clip whole would not fit), played back and forth
        count = min(clip.frame_count, frames_within(clip.width, clip.height))
        count = count if max_frames is None else min(count, int(max_frames))
        self.frames = clip.read_frames(None if count == clip.frame_count else range(count))
        self.feather = 0.0

    def render(self, k: int, coeffs: np.ndarray) -> tuple[np.ndarray, dict[str, float]]:
        """Source frame k [H, W, 3] BGR uint8 with the face for `coeffs` [K]; timings in ms."""
        from core.mouth.metrics import predicted_landmarks

        t0 = time.perf_counter()
        driving = predicted_landmarks(self.space, np.asarray(coeffs)[None], self.clip.landmarks[[k]])
        verts = torch.from_numpy(lift_landmarks(driving, self.K)[0]).to(self.device)
        with torch.no_grad():
            verts = self.avatar.pose(verts, int(k))
            t1 = time.perf_counter()
            fr = render_frame(
                self.avatar.bound,
                verts,
                self.faces,
                self.camera,
                self.renderer,
                self.avatar.sh_degree,
                (0.0, 0.0, 0.0),
                self.avatar.innovations,
            )
        alpha = fr.output.alphas[..., 0].clamp(0, 1).cpu().numpy()
        rgb = fr.image.clamp(0, 1).cpu().numpy()  # composited on black: premultiplied
        t2 = time.perf_counter()
        out = paste(self.frames[k], rgb, alpha, self.crop, self.feather)
        t3 = time.perf_counter()
        return out, {"mesh": (t1 - t0) * 1e3, "model": (t2 - t1) * 1e3, "paste": (t3 - t2) * 1e3}


@dataclass(frozen=True)
class GaussianRenderRequest:
    run: Path
    audio: Path
    out: Path
    audio_model: Path
    device: str = "auto"
    renderer: str = "auto"
    audio_backend: str = "auto"  # the audio model's runtime, as live takes it (core.realtime.backends)


class GaussianAudioRenderJob(RequestJob[GaussianRenderRequest]):
    name = "render gaussian avatar from audio"

    def run(self, ctx: JobContext) -> Path:
        with ClipReads("render", "render") as reads:  # the avatar's clip, held to the end
            return self._render(ctx, reads)

    def _render(self, ctx: JobContext, reads: ClipReads) -> Path:
        from core.lipsync.source_loop import ping_pong
        from core.media.audio import read_audio, read_audio_native
        from core.media.mp4_writer import for_aac
        from core.mouth.loader import load_audio2mouth
        from core.mouth.streaming import stream_all
        from core.realtime.backends import make_audio_backend

        r = self.req
        device = resolve_device(r.device)
        path = GaussianFrames(r.run, None, device, r.renderer, reads=reads)  # checks the run and mesh first
        a2m = load_audio2mouth(r.audio_model, device=str(device))
        path.space = a2m.space
        clip = path.clip
        if abs(a2m.fps - clip.fps) > 1e-3:
            raise BadInput(
                Text(
                    "the audio-to-mouth model runs at {model_fps:g} fps but the avatar's clip is "
                    "{clip_fps:g} fps; train the audio model on clips prepared at {clip_fps:g} fps.",
                    model_fps=a2m.fps,
                    clip_fps=clip.fps,
                )
            )
        audio = read_audio(r.audio)  # the audio model's view: 16 kHz mono
        native = read_audio_native(r.audio)
        sound, sound_rate = for_aac(native.samples, native.rate)  # what the video carries
        n_out = max(1, int(np.ceil(len(audio) * clip.fps / AUDIO_RATE - 1e-9)))
        ctx.progress(0, n_out, "rendering")  # the total is known: bars show 0% until the first frames
        with tempfile.TemporaryDirectory(prefix="dhstudio-render-") as work:  # ONNX graphs, if asked
            step = make_audio_backend(r.audio_backend, a2m.net, device, Path(work), [])
            coeffs = stream_all(a2m.stepper(step), audio, n_out)
        src = ping_pong(len(path.frames), n_out)
        ctx.log(
            f"rendering {n_out} frames ({len(audio) / AUDIO_RATE:.2f} s) over clip '{clip.name}' with "
            f"{path.avatar.count} Gaussians ({path.renderer.name}), audio model on {step.name}"
        )
        writer = Mp4Writer(
            r.out, clip.width, clip.height, clip.fps, sample_rate=sound_rate, channels=sound.shape[1]
        )
        try:
            for i in range(n_out):
                ctx.checkpoint()
                writer.write_frame(path.render(int(src[i]), coeffs[i])[0])
                ctx.progress(i + 1, n_out, "rendering")
            writer.write_audio(sound)
        except BaseException:
            writer.abort()
            raise
        out = writer.close()
        ctx.artifact(out, "video")
        return out


def _faces() -> np.ndarray:
    from core.face import topology

    return topology.triangles(fill_holes=True, irises=True)
