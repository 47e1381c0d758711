"""The one lip-sync inference path: `dhstudio render`, `dhstudio eval` and `dhstudio live` draw here.

renderer = load_renderer(run_dir, device)
loop = SourceLoop.from_clip(clip)                                  # the source frames to play
frames = open_frames(renderer, clip, loop, device, space)          # references encoded once
out, timings = frames.render_coeffs(loop.indices(n), coeffs)       # BGR uint8 frames

Per output frame: loop frame k -> its face crop with the mouth box zeroed (cut once per loop
frame, from the clip's face boxes exactly as in training) + the mouth shape map of the driving
landmarks (tracked, or the mouth the audio model's coefficients describe in k's head pose) ->
the renderer's crop backend (reference features cached) -> feathered, colour-matched
paste-back. The crop backend is chosen in `core.lipsync.crop_backends` (default `auto`: on the
CPU the fused DINet mini kernel for a model it runs, else ONNX Runtime; eager PyTorch with folded
batch-norm on a GPU or when onnxruntime is missing); the live engine builds its backend there too
and passes it into the same `LipSyncFrames`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import torch

from core.face.crops import cut_crop
from core.face.mouth_metrics import mouth_opening, reference_frames
from core.face.prepared import PreparedClip
from core.jobs.errors import BadInput
from core.jobs.message import Text
from core.lipsync.config import RendererConfig
from core.lipsync.face_crops import shape_map
from core.lipsync.factory import build_renderer
from core.lipsync.geometry import CropGeometry
from core.lipsync.paste_back import PasteSettings, band_pixels, band_stats, mouth_alpha, paste_mouth
from core.lipsync.renderer import LipSyncRenderer
from core.lipsync.source_loop import SourceLoop
from core.lipsync.train_state import CHECKPOINT, KIND
from core.mouth.metrics import predicted_landmarks
from core.mouth.space import MouthSpace
from core.project_layout import ProjectLayout
from core.train.checkpoint import read_checkpoint, require_finite


@dataclass
class LoadedRenderer:
    net: LipSyncRenderer  # eval mode
    clips: list[str]  # clips it was trained on
    references: dict[str, list[int]]  # clip name -> the 5 reference frame ids
    step: int
    run_dir: Path

    def clip_dir(self, name: str | None = None) -> Path:
        name = name or self.clips[0]
        layout = ProjectLayout.of_run(self.run_dir)
        path = layout.clip(name)
        if not layout.is_prepared_clip(name):
            raise BadInput(
                Text(
                    "the renderer was trained on clip '{name}', but {path} is not a prepared clip; "
                    "prepare it again or pass --clip with the prepared clip folder.",
                    name=name,
                    path=path,
                )
            )
        return path

    def reference_ids(self, clip: PreparedClip) -> list[int]:
        """The frames the renderer was trained with for `clip`; for a clip it never saw, the
        reference candidates `dhstudio prepare` picked (closed to open), spread over R."""
        r = self.net.cfg.num_references
        ids = self.references.get(clip.name)
        if ids is None:
            cands = clip.reference_candidates
            if len(cands) < r:
                raise BadInput(
                    Text(
                        "clip '{clip_name}' lists {n_cands} reference candidates, the renderer needs "
                        "{r}; prepare the clip again.",
                        clip_name=clip.name,
                        n_cands=len(cands),
                        r=r,
                    )
                )
            ids = [cands[int(i)] for i in np.round(np.linspace(0, len(cands) - 1, r))]
        if len(ids) != r:
            raise BadInput(
                Text(
                    "{run_dir}: the checkpoint lists {n_ids} reference frames for clip "
                    "'{clip_name}', the renderer needs {r}; train it again",
                    run_dir=self.run_dir,
                    n_ids=len(ids),
                    clip_name=clip.name,
                    r=r,
                )
            )
        return [int(i) for i in ids]


def load_renderer(run_dir: Path | str, device: torch.device | str = "cpu") -> LoadedRenderer:
    """A `dinet` run folder (or its checkpoint file) -> the generator in eval mode."""
    run_dir = Path(run_dir)
    path = run_dir if run_dir.is_file() else run_dir / "checkpoints" / CHECKPOINT
    if path.is_file() and run_dir.is_file():
        run_dir = path.parent.parent
    if not path.is_file():
        raise BadInput(
            Text(
                "No lip-sync renderer checkpoint at {path}; train one with `dhstudio train "
                "training_jobs/dinet_mini.toml --project DIR`.",
                path=path,
            )
        )
    ckpt = read_checkpoint(path, KIND, map_location="cpu")
    weights = ckpt.get("generator_ema", ckpt["generator"])  # the weight average when trained with one
    require_finite(weights, path)
    net = build_renderer(RendererConfig.model_validate(ckpt["renderer"]))
    net.load_state_dict(weights)
    net.to(device).eval()
    return LoadedRenderer(net, list(ckpt["clips"]), dict(ckpt["references"]), int(ckpt["step"]), run_dir)


def reference_tensor(
    frames: np.ndarray, landmarks: np.ndarray, boxes: np.ndarray, geometry: CropGeometry
) -> torch.Tensor:
    """[1, R, 4, H, W]: face crops (RGB [0, 1]) of the reference frames plus their tracked shape maps."""
    refs = []
    for frame, lm, box in zip(frames, landmarks, boxes, strict=True):
        rgb = (
            cut_crop(frame, box, geometry.crop_size)[..., ::-1].transpose(2, 0, 1).astype(np.float32) / 255.0
        )
        refs.append(np.concatenate([rgb, shape_map(lm, box, geometry)[None]], axis=0))
    return torch.from_numpy(np.stack(refs)[None])


def clip_references(renderer: LoadedRenderer, clip: PreparedClip) -> torch.Tensor:
    """The reference tensor [1, R, 4, H, W] of `clip` for this renderer."""
    ids = renderer.reference_ids(clip)
    return reference_tensor(
        clip.read_frames(ids), clip.landmarks[ids], clip.face_boxes[ids], renderer.net.geometry
    )


def loop_references(loop: SourceLoop, count: int, geometry: CropGeometry) -> torch.Tensor:
    """References from a loop with no trained ones (tests, benchmarks): the one picker over its frames."""
    k = reference_frames(mouth_opening(loop.landmarks), np.ones(len(loop), bool), count)
    return reference_tensor(loop.frames[k], loop.landmarks[k], loop.boxes[k], geometry)


class CropBackend(Protocol):
    name: str

    def render(self, source: np.ndarray) -> np.ndarray:
        """Sources [B, 4, H, W] float32 -> face crops [B, 3, H, W] float32 RGB in [0, 1]."""
        ...


class TorchCrops:
    """A renderer module called as module(source, ref_features) (eager or TorchScript)."""

    def __init__(
        self,
        module: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
        ref_features: torch.Tensor,
        device: torch.device | str,
        name: str = "torch",
    ) -> None:
        self.name = name
        self.module = module
        self.device = torch.device(device)
        self.ref = ref_features.to(self.device)

    def render(self, source: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            return self.module(torch.from_numpy(source).to(self.device), self.ref).float().cpu().numpy()


def encode_references(
    net: LipSyncRenderer, references: torch.Tensor, device: torch.device | str
) -> torch.Tensor:
    with torch.inference_mode():
        return net.to(device).encode_references(references.to(device)).detach()


class LipSyncFrames:
    """The per-frame work of every lip-sync output over one source loop and one crop backend."""

    def __init__(
        self,
        loop: SourceLoop,
        geometry: CropGeometry,
        backend: CropBackend,
        space: MouthSpace | None = None,
        paste: PasteSettings | None = None,
        backend_reason: str = "given by the caller",
    ) -> None:
        self.loop = loop
        self.geometry = geometry
        self.backend = backend
        self.backend_reason = backend_reason  # why this crop backend (logged by render and eval)
        self.space = space
        crops = np.stack(
            [cut_crop(f, b, geometry.crop_size) for f, b in zip(loop.frames, loop.boxes, strict=True)]
        )
        self._crops = np.ascontiguousarray(crops[..., ::-1])  # [N, H, W, 3] RGB uint8, one per loop frame
        self.set_paste(paste or PasteSettings())

    def set_paste(self, paste: PasteSettings) -> None:
        """Paste with these settings from the next frame (the live feather control)."""
        self.paste = paste
        self.alpha = mouth_alpha(self.geometry, paste)
        self._band = band_pixels(self.alpha)
        self._band_stats: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # loop frame -> its crop's

    def _original_stats(self, k: int) -> tuple[np.ndarray, np.ndarray] | None:
        """Loop frame k's crop statistics on the colour-matching band, computed once per frame
        (the paste would cut and measure the same crop every time the loop comes by)."""
        if not self.paste.color_match or self._band.size < 8:
            return None
        stats = self._band_stats.get(k)
        if stats is None:
            stats = self._band_stats[k] = band_stats(self._crops[k][..., ::-1], self._band)
        return stats

    def mouth_landmarks(self, ks: Sequence[int], coeffs: np.ndarray) -> np.ndarray:
        """Loop frames ks' landmarks [n, 478, 3] with the mouth + jaw that `coeffs` [n, K] describe."""
        if self.space is None:
            raise ValueError("driving by coefficients needs the audio model's mouth space")
        return predicted_landmarks(
            self.space, np.asarray(coeffs), self.loop.landmarks[np.asarray(ks, np.int64)]
        )

    def sources(self, ks: Sequence[int], landmarks: np.ndarray) -> np.ndarray:
        """Renderer inputs [n, 4, H, W] float32: masked face crop (RGB) + mouth shape map of `landmarks`."""
        ys, xs = self.geometry.mouth_slices()
        out = np.empty((len(ks), 4, *self.geometry.crop_size), np.float32)
        for i, (k, lm) in enumerate(zip(ks, landmarks, strict=True)):
            out[i, :3] = self._crops[k].transpose(2, 0, 1).astype(np.float32) / 255.0
            out[i, :3, ys, xs] = 0.0
            out[i, 3] = shape_map(lm, self.loop.boxes[k], self.geometry)
        return out

    def render(self, ks: Sequence[int], landmarks: np.ndarray) -> tuple[list[np.ndarray], dict[str, float]]:
        """Loop frames ks with the mouth redrawn to follow `landmarks` [n, 478, 3] (BGR uint8), and
        the milliseconds each stage took."""
        t0 = time.perf_counter()
        source = self.sources(ks, landmarks)
        t1 = time.perf_counter()
        faces = self.backend.render(source).transpose(0, 2, 3, 1)  # [n, H, W, 3] RGB
        t2 = time.perf_counter()
        frames = [
            paste_mouth(
                self.loop.frames[k],
                face,
                self.loop.boxes[k],
                self.geometry,
                self.paste,
                self.alpha,
                self._original_stats(k),
            )[0]
            for k, face in zip(ks, faces, strict=True)
        ]
        t3 = time.perf_counter()
        return frames, {"shape_map": (t1 - t0) * 1e3, "model": (t2 - t1) * 1e3, "paste": (t3 - t2) * 1e3}

    def render_coeffs(
        self, ks: Sequence[int], coeffs: np.ndarray
    ) -> tuple[list[np.ndarray], dict[str, float]]:
        """Loop frames ks with the mouths the audio model's coefficients [n, K] describe."""
        return self.render(ks, self.mouth_landmarks(ks, coeffs))


def open_frames(
    renderer: LoadedRenderer,
    clip: PreparedClip,
    loop: SourceLoop,
    device: torch.device | str = "cpu",
    space: MouthSpace | None = None,
    paste: PasteSettings | None = None,
    backend: str = "auto",
) -> LipSyncFrames:
    """`LipSyncFrames` over `loop` on crop backend `backend` (`core.lipsync.crop_backends`; `auto`
    picks the fastest usable), with the clip's references encoded once."""
    from core.lipsync.crop_backends import make_crop_backend

    net = renderer.net
    features = encode_references(net, clip_references(renderer, clip), device)
    crops, choice = make_crop_backend(backend, net, features, device)
    return LipSyncFrames(loop, net.geometry, crops, space, paste, f"{choice.kind}: {choice.reason}")
