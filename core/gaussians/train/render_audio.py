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

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch

from core.device import resolve_device
from core.face.prepared import PreparedClip
from core.gaussians.mesh.mediapipe_mesh import estimated_intrinsics, lift_landmarks
from core.gaussians.render.select import select_renderer
from core.gaussians.train.bundle import AVATAR_FILE, load_bundle
from core.gaussians.train.data import crop_camera, select_frames, square_crop
from core.gaussians.train.step import render_frame
from core.jobs.context import JobContext
from core.jobs.errors import BadInput
from core.jobs.job import Job
from core.media.mp4_writer import Mp4Writer

AUDIO_RATE = 16000


def paste(
    frame_bgr: np.ndarray, crop_rgb: np.ndarray, alpha: np.ndarray, crop: tuple[int, int, int]
) -> np.ndarray:
    """Composite a rendered crop (RGB [R, R, 3] premultiplied on black, alpha [R, R]) into a frame."""
    x0, y0, side = crop
    h, w = frame_bgr.shape[:2]
    fg = cv2.resize(crop_rgb[..., ::-1].astype(np.float32), (side, side), interpolation=cv2.INTER_LINEAR)
    a = cv2.resize(alpha.astype(np.float32), (side, side), interpolation=cv2.INTER_LINEAR)[..., None]
    sx0, sy0, sx1, sy1 = max(x0, 0), max(y0, 0), min(x0 + side, w), min(y0 + side, h)
    out = frame_bgr.astype(np.float32)
    if sx1 > sx0 and sy1 > sy0:
        f = fg[sy0 - y0 : sy1 - y0, sx0 - x0 : sx1 - x0]
        al = a[sy0 - y0 : sy1 - y0, sx0 - x0 : sx1 - x0]
        out[sy0:sy1, sx0:sx1] = f * 255.0 + (1.0 - al) * out[sy0:sy1, sx0:sx1]
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


@dataclass(frozen=True)
class GaussianRenderRequest:
    run: Path
    audio: Path
    out: Path
    audio_model: Path
    device: str = "auto"
    renderer: str = "auto"


class GaussianAudioRenderJob(Job):
    name = "render gaussian avatar from audio"

    def __init__(self, request: GaussianRenderRequest) -> None:
        self.req = request

    def run(self, ctx: JobContext) -> Path:
        from core.lipsync.source_loop import ping_pong
        from core.media.audio import read_audio
        from core.mouth.loader import load_audio2mouth
        from core.mouth.metrics import predicted_landmarks

        r = self.req
        avatar_path = r.run / AVATAR_FILE
        if not avatar_path.is_file():
            raise BadInput(f"{r.run} has no {AVATAR_FILE}; is it a finished Gaussian avatar run?")
        device = resolve_device(r.device)
        avatar = load_bundle(avatar_path, device)
        if avatar.config.data.mesh != "mediapipe":
            raise BadInput(
                f"{r.run} is bound to the {avatar.config.data.mesh} mesh; speech drives the MediaPipe face "
                'mesh, so render a video from an avatar trained with data.mesh = "mediapipe".'
            )
        clip = PreparedClip.load(avatar.clip)
        a2m = load_audio2mouth(r.audio_model, device=str(device))
        if abs(a2m.fps - clip.fps) > 1e-3:
            raise BadInput(
                f"the audio-to-mouth model runs at {a2m.fps:g} fps but the avatar's clip is "
                f"{clip.fps:g} fps; train the audio model on clips prepared at {clip.fps:g} fps."
            )
        audio = read_audio(r.audio)
        n_out = max(1, int(np.ceil(len(audio) * clip.fps / AUDIO_RATE - 1e-9)))
        coeffs = a2m.predict(audio, n_out)
        src = ping_pong(clip.frame_count, n_out)
        driving = predicted_landmarks(a2m.space, coeffs, clip.landmarks[src])
        K = estimated_intrinsics(clip.width, clip.height).numpy()
        cfg = avatar.config.data
        use, _ = select_frames(clip.valid, cfg.max_frames, cfg.holdout)
        crop = square_crop(clip.face_boxes[use], cfg.crop_margin, clip.width, clip.height)
        camera = crop_camera(K, np.eye(4), crop, cfg.resolution).to(device)
        renderer = select_renderer(r.renderer, device).renderer
        faces = avatar.bound.binding.new_tensor(np.asarray(_faces(), np.int64))
        frames = clip.read_frames()
        ctx.log(
            f"rendering {n_out} frames ({len(audio) / AUDIO_RATE:.2f} s) over clip '{clip.name}' with "
            f"{avatar.count} Gaussians ({renderer.name})"
        )
        writer = Mp4Writer(r.out, clip.width, clip.height, clip.fps, sample_rate=AUDIO_RATE)
        try:
            for i in range(n_out):
                ctx.checkpoint()
                verts = torch.from_numpy(lift_landmarks(driving[i : i + 1], K)[0]).to(device)
                with torch.no_grad():
                    verts = avatar.pose(verts, int(src[i]))
                    fr = render_frame(
                        avatar.bound,
                        verts,
                        faces,
                        camera,
                        renderer,
                        avatar.sh_degree,
                        (0.0, 0.0, 0.0),
                        avatar.innovations,
                    )
                alpha = fr.output.alphas[..., 0].clamp(0, 1)
                rgb = fr.image.clamp(0, 1).cpu().numpy()  # composited on black: premultiplied
                writer.write_frame(paste(frames[src[i]], rgb, alpha.cpu().numpy(), crop))
                ctx.progress(i + 1, n_out, "rendering")
            writer.write_audio(audio)
        except BaseException:
            writer.abort()
            raise
        out = writer.close()
        ctx.artifact(out, "video")
        return out


def _faces() -> np.ndarray:
    from core.face import topology

    return topology.triangles(fill_holes=True, irises=True)
