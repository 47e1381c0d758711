"""The lip-sync avatar as the live engine sees it: the source video loop plus the mouth renderer.

`Avatar` is the small interface every live renderer implements (a Gaussian avatar can
plug in later): `idle_frame(j)` returns the source loop's frame for output frame j (silence
keeps the person breathing and blinking), `render(j, coeffs)` draws the mouth that the
audio model asked for into that frame.

`LipSyncAvatar` precomputes everything that does not depend on the audio once per loop
frame (masked face crop, head pose) and the renderer's reference features are cached, so
the per-frame work is: coefficients -> mouth landmarks -> shape map -> renderer ->
paste-back (`core.lipsync.paste_back`, the same feathered, colour-matched paste as
`dhstudio render`). Crops are cut from the clip's face boxes exactly as in training.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import torch

from core.face.crops import cut_crop
from core.lipsync.face_crops import shape_map
from core.lipsync.geometry import CropGeometry
from core.lipsync.paste_back import PasteSettings, mouth_alpha, paste_mouth
from core.mouth.space import MouthSpace, Pose
from core.realtime.backends import RendererBackend
from core.realtime.placement import boxes_from_landmarks


class Avatar(Protocol):
    fps: float
    frame_size: tuple[int, int]  # (width, height) of output frames

    def idle_frame(self, j: int) -> np.ndarray: ...

    def render(self, j: int, coeffs: np.ndarray) -> tuple[np.ndarray, dict[str, float]]: ...


@dataclass(frozen=True)
class SourceLoop:
    """The user's video replayed forward then backward.

    frames [N, H, W, 3] BGR uint8, landmarks [N, 478, 3] frame pixels, boxes [N, 4] face boxes
    (None: derived from the landmarks).
    """

    frames: np.ndarray
    landmarks: np.ndarray
    fps: float
    boxes: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.frames.ndim != 4 or self.frames.shape[0] < 1:
            raise ValueError(f"frames must be [N, H, W, 3] with N >= 1, got {self.frames.shape}")
        if self.landmarks.shape[0] != self.frames.shape[0]:
            raise ValueError(f"{self.landmarks.shape[0]} landmark sets for {self.frames.shape[0]} frames")
        if self.boxes is None:
            object.__setattr__(self, "boxes", boxes_from_landmarks(self.landmarks))

    def __len__(self) -> int:
        return int(self.frames.shape[0])

    def index(self, j: int) -> int:
        """Loop frame for output frame j, ping-pong so the loop has no jump cut."""
        n = len(self)
        if n == 1:
            return 0
        period = 2 * n - 2
        k = j % period
        return k if k < n else period - k


def mouth_opening(landmarks: np.ndarray) -> np.ndarray:
    """Inner-lip gap over face height, per frame [N] (13/14: inner lip centre; 10/152: face top/chin)."""
    gap = np.linalg.norm(landmarks[:, 14, :2] - landmarks[:, 13, :2], axis=1)
    face = np.linalg.norm(landmarks[:, 152, :2] - landmarks[:, 10, :2], axis=1)
    return gap / np.maximum(face, 1e-6)


def pick_references(landmarks: np.ndarray, count: int) -> np.ndarray:
    """Frame indices spanning closed to wide-open mouth (quantiles of the opening)."""
    order = np.argsort(mouth_opening(landmarks), kind="stable")
    return order[np.round(np.linspace(0, len(order) - 1, count)).astype(int)]


def reference_tensor(
    frames: np.ndarray, landmarks: np.ndarray, boxes: np.ndarray, geometry: CropGeometry
) -> torch.Tensor:
    """[1, R, 4, H, W]: face crops (RGB [0, 1]) of reference frames plus their tracked shape maps."""
    refs = []
    for frame, lm, box in zip(frames, landmarks, boxes, strict=True):
        rgb = (
            cut_crop(frame, box, geometry.crop_size)[..., ::-1].transpose(2, 0, 1).astype(np.float32) / 255.0
        )
        refs.append(np.concatenate([rgb, shape_map(lm, box, geometry)[None]], axis=0))
    return torch.from_numpy(np.stack(refs)[None])


class LipSyncAvatar:
    """DINet (full or mini) behind a `RendererBackend`, over a `SourceLoop`."""

    def __init__(
        self,
        loop: SourceLoop,
        space: MouthSpace,
        geometry: CropGeometry,
        backend: RendererBackend | None,
        paste: PasteSettings | None = None,
    ) -> None:
        self.loop = loop
        self.space = space
        self.geometry = geometry
        self.backend = backend
        self.fps = loop.fps
        h, w = loop.frames.shape[1:3]
        self.frame_size = (int(w), int(h))
        self.paste = paste = paste or PasteSettings()
        self._alpha = mouth_alpha(geometry, paste)
        crops = np.stack(
            [cut_crop(f, b, geometry.crop_size) for f, b in zip(loop.frames, loop.boxes, strict=True)]
        )
        masked = crops[..., ::-1].transpose(0, 3, 1, 2).astype(np.float32) / 255.0  # [N, 3, H, W] RGB
        ys, xs = geometry.mouth_slices()
        masked[:, :, ys, xs] = 0.0
        self._masked = masked
        self._poses = space.pose(loop.landmarks)

    def reference_tensor(self, count: int) -> torch.Tensor:
        """[1, count, 4, H, W] from loop frames spanning closed to open mouth (no training references)."""
        k = pick_references(self.loop.landmarks, count)
        return reference_tensor(
            self.loop.frames[k], self.loop.landmarks[k], self.loop.boxes[k], self.geometry
        )

    def mouth_landmarks(self, k: int, coeffs: np.ndarray) -> np.ndarray:
        """Loop frame k's landmarks [478, 3] with the mouth replaced by the one `coeffs` describe."""
        p = self._poses
        pose = Pose(p.scale[k : k + 1], p.rotation[k : k + 1], p.translation[k : k + 1])
        pts = self.space.to_image(self.space.decode(np.asarray(coeffs, np.float64)[None]), pose)[0]
        lm = self.loop.landmarks[k].astype(np.float64)
        lm[self.space.vertices] = pts
        return lm

    def idle_frame(self, j: int) -> np.ndarray:
        return self.loop.frames[self.loop.index(j)]

    def render(self, j: int, coeffs: np.ndarray) -> tuple[np.ndarray, dict[str, float]]:
        t0 = time.perf_counter()
        k = self.loop.index(j)
        box = self.loop.boxes[k]
        smap = shape_map(self.mouth_landmarks(k, coeffs), box, self.geometry)
        source = np.concatenate([self._masked[k], smap[None]], axis=0)[None]
        t1 = time.perf_counter()
        face = self.backend.render(np.ascontiguousarray(source, np.float32))[0]  # [3, H, W] RGB
        t2 = time.perf_counter()
        frame, _ = paste_mouth(
            self.loop.frames[k], face.transpose(1, 2, 0), box, self.geometry, self.paste, self._alpha
        )
        t3 = time.perf_counter()
        return frame, {"shape_map": (t1 - t0) * 1e3, "model": (t2 - t1) * 1e3, "paste": (t3 - t2) * 1e3}
