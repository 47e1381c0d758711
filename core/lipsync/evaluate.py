"""`EvalJob`: honest quality figures for a trained renderer on the held-out end of its clip.

Self-reconstruction: each held-out frame's mouth is re-rendered from its own tracked
landmarks (so the real frame is the ground truth) and pasted back like a real render.
  psnr_mouth / ssim_mouth   the mouth box of the output vs the real frame (at the model's crop scale)
  sharpness_ratio           Laplacian variance of the output mouth / that of the *ideal output*: the
                            real frame's own crop pasted back and cut again the same way (1 = as
                            sharp as a perfect renderer can look after paste-back; < 1 = blur)
  sharpness_ceiling         the ideal output's Laplacian variance / the real mouth's: what paste-back
                            and the re-cut (two bilinear resamplings) leave of the source's detail;
                            a perfect renderer scores this, not 1, against the raw real mouth
  sharpness_ratio_raw       output / real mouth directly (= sharpness_ratio x sharpness_ceiling)
  psnr_mouth_frame / sharpness_ratio_frame
                            the same in frame pixels (the mouth box cut from the full frames without
                            resampling): one footing for every mouth size, where a 64 px mouth shown
                            over a 230 px box loses what a 128 px one keeps
  lmd_px / lmd_mouth_pct    lip landmark distance between MediaPipe re-tracking the outputs and
                            re-tracking the real frames (frame pixels; % of the mouth box side)
  paste_flicker / paste_flicker_ratio / paste_color_shift / paste_seam_ratio
                            how visible the paste-back is on its feather band against the real
                            frames (core.metrics.paste: added temporal change, tint, edge)
With an audio model, the held-out frames are also driven by the clip's own audio, and
  audio_opening_r           Pearson r of mouth opening re-tracked on those outputs vs the real track
  driving_opening_r         the same for the audio model's landmarks alone (the renderer's ceiling)

The held-out frames stream through in chunks of at most `eval_chunk(w, h)` frames (decoded, rendered,
scored and re-tracked, then dropped): minutes of 4K footage held whole would take many GB. Every figure
is a per-frame value or a running sum taken in frame order, so the chunking leaves them unchanged.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from core.face.crops import cut_crop
from core.face.mouth_metrics import mouth_opening
from core.face.prepared import PreparedClip
from core.face.topology import LIPS_INNER, LIPS_OUTER
from core.io.claim import ClipReads
from core.jobs.context import JobContext
from core.jobs.errors import BadInput
from core.jobs.job import RequestJob
from core.jobs.message import Text
from core.lipsync import source_loop
from core.lipsync.dataset import split_clip
from core.lipsync.geometry import CropGeometry
from core.lipsync.inference import LipSyncFrames, load_renderer, open_frames
from core.lipsync.paste_back import frame_alpha, paste_mouth
from core.lipsync.source_loop import SourceLoop, frames_within
from core.metrics.correlation import pearson
from core.metrics.landmarks import landmark_distance
from core.metrics.paste import PasteFidelity
from core.metrics.psnr import psnr
from core.metrics.sharpness import laplacian_variance
from core.metrics.ssim import ssim
from core.mouth.metrics import predicted_landmarks
from core.train.checkpoint import load_checkpoint

LIP_POINTS = np.array(sorted(set(LIPS_OUTER) | set(LIPS_INNER)))


# Frames one chunk of evaluation holds at once, at most: the real frames, the outputs of both passes
# and the ideal outputs (paste-backs of the real crops) are full frames.
FRAMES_PER_HELD_FRAME = 4


def eval_chunk(width: int, height: int) -> int:
    """Held-out frames evaluated at once: their full frames (`FRAMES_PER_HELD_FRAME` per held-out
    frame) fit in `source_loop.LOOP_MEMORY_BYTES` (21 at 4K, 86 at 1080p; at least one)."""
    return frames_within(width, height, source_loop.LOOP_MEMORY_BYTES // FRAMES_PER_HELD_FRAME)


def retrack(frames: list[np.ndarray]) -> np.ndarray:
    """Landmarks [n, 478, 3] (NaN where no face) from a fresh tracker in video mode."""
    with Retracker() as tracker:
        return tracker.add(frames)


class Retracker:
    """One tracker in video mode over a sequence given chunk by chunk (a fresh one per sequence:
    video mode carries each frame's track into the next)."""

    def __init__(self) -> None:
        from core.face.tracker import FaceTracker

        self._tracker = FaceTracker()

    def add(self, frames: list[np.ndarray]) -> np.ndarray:
        """The next frames' landmarks [n, 478, 3] (NaN where no face)."""
        out = np.full((len(frames), 478, 3), np.nan, np.float32)
        for i, f in enumerate(frames):
            lm = self._tracker.track(f)
            if lm is not None:
                out[i] = lm
        return out

    def close(self) -> None:
        self._tracker.close()

    def __enter__(self) -> Retracker:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def mouth_box_crops(frames: list[np.ndarray], boxes: np.ndarray, painter: LipSyncFrames) -> list[np.ndarray]:
    g = painter.geometry
    ys, xs = g.mouth_slices()
    return [cut_crop(f, b, g.crop_size)[ys, xs] for f, b in zip(frames, boxes, strict=True)]


def ideal_outputs(frames: list[np.ndarray], boxes: np.ndarray, painter: LipSyncFrames) -> list[np.ndarray]:
    """What a perfect renderer would produce: each frame's own face crop pasted back like an output
    (same resampling, feather and colour match), the reference a sharpness figure must be read against."""
    g = painter.geometry
    return [
        paste_mouth(
            f,
            cut_crop(f, b, g.crop_size)[..., ::-1].astype(np.float32) / 255.0,
            b,
            g,
            painter.paste,
            painter.alpha,
        )[0]
        for f, b in zip(frames, boxes, strict=True)
    ]


def frame_mouth_box(box: np.ndarray, geometry: CropGeometry) -> tuple[slice, slice]:
    """The mouth box of face box `box` (x0, y0, x1, y1) in whole frame pixels, as (rows, columns)."""
    x0, y0, x1, y1 = (float(v) for v in box)
    sx, sy = (x1 - x0) / geometry.crop_width, (y1 - y0) / geometry.crop_height
    top, left, h, w = geometry.mouth_box
    r0, c0 = max(round(y0 + top * sy), 0), max(round(x0 + left * sx), 0)
    return slice(r0, round(y0 + (top + h) * sy)), slice(c0, round(x0 + (left + w) * sx))


@dataclass
class EvalRequest:
    run: Path
    audio_model_run: Path | None = None
    clip_dir: Path | None = None
    device: str = "cpu"
    limit: int | None = None  # at most this many held-out frames (quick checks)
    batch: int = 8


class EvalJob(RequestJob[EvalRequest]):
    name = "eval"

    def run(self, ctx: JobContext) -> dict[str, Any]:
        with ClipReads("evaluation", "evaluate the run") as reads:  # the clip, held to the end
            return self._evaluate(ctx, reads)

    def _evaluate(self, ctx: JobContext, reads: ClipReads) -> dict[str, Any]:
        from core.device import resolve_device

        r = self.req
        device = resolve_device(r.device)
        renderer = load_renderer(r.run, device)
        ckpt_cfg = load_checkpoint(renderer.run_dir / "checkpoints" / "last.pt").get("config", {})
        holdout = float(ckpt_cfg.get("train", {}).get("holdout", 0.2))
        clip_dir = r.clip_dir or renderer.clip_dir()
        reads.hold(clip_dir)
        clip = PreparedClip.load(clip_dir)
        frames_idx = split_clip(clip, holdout).held_out
        if r.limit is not None:
            frames_idx = frames_idx[: r.limit]
        if len(frames_idx) < 3:
            raise BadInput(
                Text(
                    "clip '{clip_name}' has only {n_held} usable held-out frames; evaluation needs a "
                    "longer clip.",
                    clip_name=clip.name,
                    n_held=len(frames_idx),
                )
            )
        bundle = None
        if r.audio_model_run is not None:
            from core.mouth.loader import load_audio2mouth

            bundle = load_audio2mouth(r.audio_model_run, device=str(device))
        w, h = clip.width, clip.height
        chunk = eval_chunk(w, h)
        loops = (
            SourceLoop.from_clip(clip, frames_idx[s : s + chunk]) for s in range(0, len(frames_idx), chunk)
        )
        first = next(loops)
        painter = open_frames(renderer, clip, first, device, bundle.space if bundle else None)
        ctx.log(
            f"evaluating {len(frames_idx)} held-out frames of '{clip.name}' (step {renderer.step}), "
            f"{min(chunk, len(frames_idx))} at a time at {w}x{h}, renderer backend {painter.backend_reason}"
        )
        driving = None
        if bundle is not None:
            coeffs = bundle.predict(clip.audio(), clip.frame_count)[frames_idx]
            driving = predicted_landmarks(bundle.space, coeffs, clip.landmarks[frames_idx])
        scores = ImageScores()
        trackers = [Retracker() for _ in range(2 if driving is None else 3)]
        tracks: list[list[np.ndarray]] = [[] for _ in trackers]
        try:
            done = 0
            for loop in itertools.chain([first], loops):
                part = LipSyncFrames(
                    loop,
                    painter.geometry,
                    painter.backend,
                    painter.space,
                    painter.paste,
                    painter.backend_reason,
                )
                real = list(loop.frames)
                outputs = self._render(ctx, part, loop.landmarks, done, len(frames_idx))
                scores.add(outputs, real, loop.boxes, part)
                ctx.checkpoint()
                tracks[0].append(trackers[0].add(real))
                tracks[1].append(trackers[1].add(outputs))
                del outputs
                if driving is not None:
                    lm = driving[done : done + len(loop)]
                    tracks[2].append(trackers[2].add(self._render(ctx, part, lm, done, len(frames_idx))))
                done += len(loop)
        finally:
            for t in trackers:
                t.close()
        real_track, out_track = np.concatenate(tracks[0]), np.concatenate(tracks[1])
        result: dict[str, Any] = {
            "run": str(renderer.run_dir),
            "step": renderer.step,
            "clip": clip.name,
            "mouth_size": painter.geometry.mouth_size,
            "frames": len(frames_idx),
        }
        result.update(scores.result())
        side = (clip.mouth_boxes[frames_idx, 2] - clip.mouth_boxes[frames_idx, 0]).astype(np.float64)
        dist = landmark_distance(out_track, real_track, LIP_POINTS)
        ok = np.isfinite(dist)
        result["retracked_fraction"] = float(ok.mean())
        result["lmd_px"] = float(dist[ok].mean()) if ok.any() else float("nan")
        result["lmd_mouth_pct"] = float((100.0 * dist[ok] / side[ok]).mean()) if ok.any() else float("nan")
        result["self_opening_r"] = pearson(mouth_opening(out_track), mouth_opening(real_track))
        if driving is not None:
            truth = mouth_opening(clip.landmarks[frames_idx])
            result["audio_opening_r"] = pearson(mouth_opening(np.concatenate(tracks[2])), truth)
            result["driving_opening_r"] = pearson(mouth_opening(driving), truth)
            result["audio_real_retrack_opening_r"] = pearson(mouth_opening(real_track), truth)
        for k, v in result.items():
            if isinstance(v, float) and np.isfinite(v):
                ctx.metric(f"eval/{k}", renderer.step, v)
        return result

    def _render(
        self, ctx: JobContext, painter: LipSyncFrames, landmarks: np.ndarray, done: int, total: int
    ) -> list[np.ndarray]:
        """Every loop frame in order with the mouth of `landmarks` [n, 478, 3], in batches;
        progress counts held-out frames `done` + those rendered of `total`."""
        out: list[np.ndarray] = []
        n, b = len(painter.loop), self.req.batch
        for s in range(0, n, b):
            ctx.checkpoint()
            ks = np.arange(s, min(s + b, n))
            frames, _ = painter.render(ks, landmarks[ks])
            out += frames
            ctx.progress(done + min(s + b, n), total, "evaluating")
        return out

    @staticmethod
    def _image_scores(
        outputs: list[np.ndarray], real: list[np.ndarray], boxes: np.ndarray, painter: LipSyncFrames
    ) -> dict[str, float]:
        scores = ImageScores()
        scores.add(outputs, real, boxes, painter)
        return scores.result()


class ImageScores:
    """The image figures of the module docstring, gathered chunk by chunk in frame order: per-frame
    values (means taken at the end over all of them) and the paste's running sums."""

    def __init__(self) -> None:
        self._paste = PasteFidelity()
        self._per_frame: dict[str, list[float]] = {
            k: [] for k in ("psnr", "ssim", "out", "real", "ideal", "psnr_f", "out_f", "real_f")
        }

    def add(
        self, outputs: list[np.ndarray], real: list[np.ndarray], boxes: np.ndarray, painter: LipSyncFrames
    ) -> None:
        """The next consecutive frames: outputs, the real frames and their face boxes."""
        v = self._per_frame
        out_m = mouth_box_crops(outputs, boxes, painter)
        real_m = mouth_box_crops(real, boxes, painter)
        ideal_m = mouth_box_crops(ideal_outputs(real, boxes, painter), boxes, painter)
        v["out"] += [laplacian_variance(m) for m in out_m]
        v["real"] += [laplacian_variance(m) for m in real_m]
        v["ideal"] += [laplacian_variance(m) for m in ideal_m]
        v["psnr"] += [psnr(a, b, peak=255.0) for a, b in zip(out_m, real_m, strict=True)]
        v["ssim"] += [ssim(a, b, 255.0, "symmetric") for a, b in zip(out_m, real_m, strict=True)]
        regions = [frame_mouth_box(b, painter.geometry) for b in boxes]
        out_f = [f[r] for f, r in zip(outputs, regions, strict=True)]
        real_f = [f[r] for f, r in zip(real, regions, strict=True)]
        v["out_f"] += [laplacian_variance(m) for m in out_f]
        v["real_f"] += [laplacian_variance(m) for m in real_f]
        v["psnr_f"] += [psnr(a, b, peak=255.0) for a, b in zip(out_f, real_f, strict=True)]
        for o, f, b in zip(outputs, real, boxes, strict=True):
            self._paste.add(o, f, frame_alpha(f.shape, b, painter.geometry, alpha=painter.alpha))

    def result(self) -> dict[str, float]:
        m = {k: np.mean(v) for k, v in self._per_frame.items()}
        return {
            **self._paste.result(),
            "psnr_mouth": float(m["psnr"]),
            "ssim_mouth": float(m["ssim"]),
            "sharpness_ratio": float(m["out"] / max(m["ideal"], 1e-9)),
            "sharpness_ceiling": float(m["ideal"] / max(m["real"], 1e-9)),
            "sharpness_ratio_raw": float(m["out"] / max(m["real"], 1e-9)),
            "sharpness_output": float(m["out"]),
            "sharpness_real": float(m["real"]),
            "psnr_mouth_frame": float(m["psnr_f"]),
            "sharpness_ratio_frame": float(m["out_f"] / max(m["real_f"], 1e-9)),
        }
