"""Training data for a Gaussian avatar: face crops, the tracked mesh per frame and one camera.

The clip's frames are cut to one square around the union of the tracked face boxes (plus a
margin; outside the video is black) and resized to ``resolution`` with area averaging. The
camera's intrinsics follow the crop: ``fx' = s fx``, ``cx' = s (cx - x0)`` with ``s`` = resolution
/ crop side (pixel centres at +0.5 in both images). The mesh stays in the provider's camera frame.

Frames without a tracked face are dropped; the last ``holdout`` fraction of the remaining frames
is the held-out (self-reenactment) set and is never trained on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch
from torch import Tensor

from core.gaussians.camera import Camera
from core.gaussians.train.config import DataConfig
from core.gaussians.train.innovations.region_weights import fill_triangles
from core.jobs.errors import BadInput


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
    images: Tensor  # [F, R, R, 3] uint8 RGB crops at full training resolution
    verts: Tensor  # [F, V, 3] float32 tracked mesh per frame
    faces: Tensor  # [T, 3] long
    camera: Camera  # the crop camera at full training resolution
    train_ids: Tensor  # [Ft] long, indices into images
    test_ids: Tensor  # [Fh] long
    clip_frames: np.ndarray  # [F] frame numbers in the prepared clip
    crop: tuple[int, int, int]  # x0, y0, side in video pixels
    fps: float
    extent: float  # 1.1 x mean camera-to-head distance (3DGS/GaussianAvatars-style scene extent)
    clip_path: Path

    @property
    def resolution(self) -> int:
        return int(self.images.shape[1])

    def target(self, frame: int, device: torch.device) -> Tensor:
        """The frame's crop [R, R, 3] float in [0, 1] (RGB)."""
        return self.images[frame].to(device).float() / 255.0

    def uv(self, frame: int, camera: Camera) -> np.ndarray:
        """Projected mesh vertices [V, 2] (pixels of ``camera``) of a frame's tracked mesh."""
        v = (
            self.verts[frame].double() @ camera.viewmat[:3, :3].double().T.cpu()
            + camera.viewmat[:3, 3].double().cpu()
        )
        K = camera.K.double().cpu()
        uv = v[:, :2] / v[:, 2:3].clamp_min(1e-9)
        return (uv * torch.stack([K[0, 0], K[1, 1]]) + torch.stack([K[0, 2], K[1, 2]])).numpy()

    def face_mask(self, frame: int, camera: Camera, dilate: float = 0.02) -> np.ndarray:
        """[H, W] bool: the filled mesh, dilated by ``dilate`` x image size (what the Gaussians model)."""
        m = fill_triangles(self.uv(frame, camera), self.faces.numpy(), camera.height, camera.width)
        r = int(round(dilate * max(camera.width, camera.height)))
        if r > 0:
            m = (
                cv2.dilate(m.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1,) * 2))
                > 0
            )
        return m


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
    n_train = int(np.floor(len(frames) * (1.0 - holdout)))
    if n_train < 2 or len(frames) - n_train < 1:
        raise BadInput(
            f"only {len(frames)} usable frames (face found); a Gaussian avatar needs at least 3 "
            "(2 to train, 1 held out). Prepare a longer clip."
        )
    return frames, n_train


def build_data(
    images_bgr: np.ndarray,
    track: MeshTrack,
    boxes: np.ndarray,
    valid: np.ndarray,
    cfg: DataConfig,
    fps: float,
    clip_path: Path,
    frames: np.ndarray | None = None,
) -> AvatarData:
    """Assemble :class:`AvatarData` from decoded frames (all, or those listed in ``frames``)."""
    use, n_train = select_frames(valid, cfg.max_frames, cfg.holdout)
    crop = square_crop(boxes[use], cfg.crop_margin, track.width, track.height)
    lookup = {int(f): i for i, f in enumerate(frames)} if frames is not None else None
    crops = [
        crop_frame(images_bgr[lookup[int(f)] if lookup else int(f)], crop, cfg.resolution)[..., ::-1]
        for f in use
    ]
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
