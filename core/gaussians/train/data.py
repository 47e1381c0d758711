"""Training data for a Gaussian avatar: face crops (samples), the mesh per frame and the cameras.

This module builds it from a monocular clip (one sample and one camera per frame; the ``mediapipe``
mesh source); :mod:`flame_source` builds the multi-view kind from an imported VHAP clip.

The clip's frames are cut to one square around the union of the tracked face boxes (plus a
margin; outside the video is black) and resized to ``resolution`` with area averaging. The
camera's intrinsics follow the crop: ``fx' = s fx``, ``cx' = s (cx - x0)`` with ``s`` = resolution
/ crop side (pixel centres at +0.5 in both images). The mesh stays in the provider's camera frame.

Frames without a tracked face are dropped; the last ``holdout`` fraction of the remaining frames
is the held-out (self-reenactment) set and is never trained on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import torch
from torch import Tensor

from core.gaussians.camera import Camera
from core.gaussians.train.config import DataConfig
from core.gaussians.train.masks import FACE_BIT, label_maps, mediapipe_regions
from core.jobs.errors import BadInput
from core.jobs.message import Text
from core.train.holdout import can_split, frames_needed, train_count


@dataclass
class MeshTrack:
    """A tracked mesh sequence in a camera frame (what a mesh provider gives the trainer)."""

    verts: np.ndarray  # [F, V, 3] float32, camera frame (OpenCV axes)
    faces: np.ndarray  # [T, 3] int
    K: np.ndarray  # [3, 3] intrinsics of the full video frame
    viewmat: np.ndarray  # [4, 4] world -> camera (identity when verts are already in camera space)
    width: int
    height: int


@dataclass
class AvatarData:
    """Training images (samples) and the meshes they show.

    A sample is one image of one clip frame. A monocular clip has one sample per frame and one
    camera; a multi-view (VHAP) clip has one sample per (frame, camera), ``sample_meshes`` saying
    which mesh (frame) each shows and ``cameras`` each one's camera.
    """

    images: Tensor  # [S, R, R, 3] uint8 RGB crops at full training resolution
    verts: Tensor  # [M, V, 3] float32 mesh per frame
    faces: Tensor  # [T, 3] long
    camera: Camera  # the crop camera at full training resolution (of every sample unless ``cameras``)
    train_ids: Tensor  # [St] long, indices into images
    test_ids: Tensor  # [Sh] long
    clip_frames: np.ndarray  # [M] frame number in the clip of each mesh
    crop: tuple[int, int, int]  # x0, y0, side in video pixels (of ``camera``)
    fps: float
    extent: float  # 1.1 x mean camera-to-head distance (3DGS/GaussianAvatars-style scene extent)
    clip_path: Path
    regions: dict[str, np.ndarray] | None = None  # region group -> triangle ids; None: MediaPipe's
    sample_meshes: Tensor | None = None  # [S] mesh index of each sample; None: sample i shows mesh i
    cameras: list[Camera] | None = None  # [S] per-sample crop cameras; None: ``camera`` for all
    _labels: dict[tuple[int, int], Tensor] = field(default_factory=dict, repr=False)

    @property
    def resolution(self) -> int:
        return int(self.images.shape[1])

    @property
    def region_triangles(self) -> dict[str, np.ndarray]:
        return self.regions if self.regions is not None else mediapipe_regions(int(self.faces.shape[0]))

    def mesh_of(self, sample: int) -> int:
        return int(self.sample_meshes[sample]) if self.sample_meshes is not None else int(sample)

    def frame_of(self, sample: int) -> int:
        """The clip frame number a sample shows."""
        return int(self.clip_frames[self.mesh_of(sample)])

    def camera_of(self, sample: int) -> Camera:
        return self.cameras[sample] if self.cameras is not None else self.camera

    def mesh_ids(self, samples: Tensor) -> Tensor:
        """Sorted unique mesh indices [K] shown by ``samples``."""
        meshes = self.sample_meshes[samples] if self.sample_meshes is not None else samples
        return torch.unique(meshes)

    def target(self, sample: int, device: torch.device) -> Tensor:
        """The sample's crop [R, R, 3] float in [0, 1] (RGB)."""
        return self.images[sample].to(device).float() / 255.0

    def uv(self, sample: int, camera: Camera) -> np.ndarray:
        """Projected mesh vertices [V, 2] (pixels of ``camera``) of a sample's mesh."""
        v = (
            self.verts[self.mesh_of(sample)].double() @ camera.viewmat[:3, :3].double().T.cpu()
            + camera.viewmat[:3, 3].double().cpu()
        )
        K = camera.K.double().cpu()
        uv = v[:, :2] / v[:, 2:3].clamp_min(1e-9)
        return (uv * torch.stack([K[0, 0], K[1, 1]]) + torch.stack([K[0, 2], K[1, 2]])).numpy()

    def labels(self, width: int, height: int) -> Tensor:
        """[S, H, W] uint8 label maps (face mask + region bits, see :mod:`masks`) at a render size.

        Rasterised for every sample the first time a size is asked for, then kept.
        """
        key = (width, height)
        if key not in self._labels:
            self._labels[key] = label_maps(
                int(self.images.shape[0]),
                lambda i: self.uv(i, self.camera_of(i).scaled(width, height)),
                self.faces.numpy(),
                self.region_triangles,
                height,
                width,
            )
        return self._labels[key]

    def face_mask(self, sample: int, camera: Camera) -> np.ndarray:
        """[H, W] bool: the filled mesh, dilated by 2% of the image size (what the Gaussians model)."""
        return (self.labels(camera.width, camera.height)[sample] & FACE_BIT).numpy() > 0


def square_crop(boxes: np.ndarray, margin: float, width: int, height: int) -> tuple[int, int, int]:
    """(x0, y0, side) of a square around the union of ``boxes`` [F, 4], grown by ``margin``."""
    x0, y0 = boxes[:, 0].min(), boxes[:, 1].min()
    x1, y1 = boxes[:, 2].max(), boxes[:, 3].max()
    side = max(x1 - x0, y1 - y0) * (1.0 + margin)
    cx, cy = (x0 + x1) / 2.0, (y0 + y1) / 2.0
    side_i = max(8, int(round(side)))
    return int(round(cx - side_i / 2.0)), int(round(cy - side_i / 2.0)), side_i


def crop_frame(frame: np.ndarray, crop: tuple[int, int, int], resolution: int) -> np.ndarray:
    """The square crop of a frame [H, W, C] (black outside), resized to ``resolution`` (area)."""
    x0, y0, side = crop
    h, w = frame.shape[:2]
    out = np.zeros((side, side, frame.shape[2]), frame.dtype)
    sx0, sy0, sx1, sy1 = max(x0, 0), max(y0, 0), min(x0 + side, w), min(y0 + side, h)
    if sx1 > sx0 and sy1 > sy0:
        out[sy0 - y0 : sy1 - y0, sx0 - x0 : sx1 - x0] = frame[sy0:sy1, sx0:sx1]
    interp = cv2.INTER_AREA if resolution < side else cv2.INTER_LINEAR
    return cv2.resize(out, (resolution, resolution), interpolation=interp)


def crop_camera(K: np.ndarray, viewmat: np.ndarray, crop: tuple[int, int, int], resolution: int) -> Camera:
    x0, y0, side = crop
    s = resolution / side
    Kc = np.array(
        [[K[0, 0] * s, 0.0, (K[0, 2] - x0) * s], [0.0, K[1, 1] * s, (K[1, 2] - y0) * s], [0.0, 0.0, 1.0]],
        dtype=np.float32,
    )
    return Camera(torch.from_numpy(viewmat.astype(np.float32)), torch.from_numpy(Kc), resolution, resolution)


def select_frames(valid: np.ndarray, max_frames: int, holdout: float) -> tuple[np.ndarray, int]:
    """(clip frame numbers to use, how many of them are training frames)."""
    frames = np.nonzero(valid)[0]
    if max_frames and len(frames) > max_frames:
        frames = frames[np.round(np.linspace(0, len(frames) - 1, max_frames)).astype(int)]
    if not can_split(len(frames), holdout):
        raise BadInput(
            Text(
                "only {n_frames} usable frames (face found); a Gaussian avatar needs "
                "{frames_needed}. Prepare a longer clip.",
                n_frames=len(frames),
                frames_needed=frames_needed(holdout),
            )
        )
    return frames, train_count(len(frames), holdout)


def build_data(
    frames_bgr: Iterable[np.ndarray],
    track: MeshTrack,
    boxes: np.ndarray,
    valid: np.ndarray,
    cfg: DataConfig,
    fps: float,
    clip_path: Path,
) -> AvatarData:
    """Assemble :class:`AvatarData` from the clip's decoded frames, every one in order from frame 0
    (a stream such as ``PreparedClip.iter_frames()``, or an array).

    Each frame is cut to its crop as it comes and let go, so only the crops are held: a few
    minutes of 1080p decoded whole would be tens of GB. Reading stops after the last frame used.
    """
    use, n_train = select_frames(valid, cfg.max_frames, cfg.holdout)
    crop = square_crop(boxes[use], cfg.crop_margin, track.width, track.height)
    slot = {int(f): i for i, f in enumerate(use)}
    crops: list[np.ndarray | None] = [None] * len(use)
    last = int(max(use))
    for f, frame in enumerate(frames_bgr):
        if f in slot:
            crops[slot[f]] = crop_frame(frame, crop, cfg.resolution)[..., ::-1]
        if f >= last:
            break
    if any(c is None for c in crops):
        raise BadInput(
            Text(
                "{clip_path}: the video ends before frame {last}; the prepared clip is damaged - "
                "prepare it again.",
                clip_path=clip_path,
                last=last,
            )
        )
    camera = crop_camera(track.K, track.viewmat, crop, cfg.resolution)
    verts = torch.from_numpy(np.ascontiguousarray(track.verts[use], dtype=np.float32))
    centre = camera.position()
    extent = 1.1 * float((verts.mean(dim=1) - centre).norm(dim=-1).mean())
    return AvatarData(
        images=torch.from_numpy(np.ascontiguousarray(np.stack(crops))),
        verts=verts,
        faces=torch.from_numpy(np.asarray(track.faces, dtype=np.int64)),
        camera=camera,
        train_ids=torch.arange(n_train),
        test_ids=torch.arange(n_train, len(use)),
        clip_frames=use,
        crop=crop,
        fps=fps,
        extent=extent,
        clip_path=clip_path,
    )
