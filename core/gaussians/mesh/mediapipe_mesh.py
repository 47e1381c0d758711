"""The MediaPipe face mesh of a prepared clip as a per-frame 3D mesh in a camera frame.

Input: a prepared clip (read by `core.face.prepared.PreparedClip`): its landmarks float32
[N, 478, 3] (x, y in full-frame pixels; z is MediaPipe's relative depth scaled by the frame width,
so it shares the pixel unit; smaller z is nearer the camera), frame size, rate, the frames with a
face, and the camera prepare solved the head poses with.

Convention (all estimated, no calibration is available from a monocular video):

* camera: OpenCV pinhole at the origin looking down +z, ``viewmat = I``; prepare's camera
  (``f = max(width, height)``, about a 53 degree field of view across the long side, typical of
  webcams and phones, principal point at the image centre) with ``f`` times ``focal_fraction``
  (default 1.0);
* metric scale: the 3D distance between the outer eye corners (landmarks 33 and 263, measured with
  MediaPipe's z so head yaw does not shrink it) is ``eye_span_m`` (default 0.09 m, the adult
  average); this gives the face's mean depth ``Z0 = f * eye_span_m / span_px`` in each frame;
* per vertex: ``Z = Z0 + (z - mean z) * Z0 / f`` (MediaPipe depth converted at the face's scale),
  ``X = (x - cx) * Z / f``, ``Y = (y - cy) * Z / f``; finally each frame is scaled about the
  camera centre (which leaves every projection unchanged) so the 3D eye span is exactly
  ``eye_span_m``.

So every vertex projects exactly onto its tracked 2D landmark. Units are metres. Frames without a
face take the vertices of the nearest frame that has one. Triangles (all 906, with eye/mouth fills
and irises) and semantic regions come from :mod:`core.face.topology`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from core.face import topology
from core.gaussians.camera import Camera, intrinsics
from core.jobs.errors import BadInput
from core.jobs.message import Text

EYE_OUTER_CORNERS = (33, 263)
DEFAULT_FOCAL_FRACTION = 1.0
DEFAULT_EYE_SPAN_M = 0.09


@dataclass
class MediaPipeMesh:
    """Per-frame face meshes of one clip (N frames, V = 478 vertices, F = 906 triangles)."""

    verts: Tensor  # [N, V, 3] float32, camera frame, metres
    faces: Tensor  # [F, 3] long
    camera: Camera  # the (estimated) camera that filmed the clip
    fps: float
    valid: np.ndarray  # [N] bool, frames where a face was tracked
    region_triangles: dict[str, np.ndarray]  # region -> triangle ids into ``faces``
    region_vertices: dict[str, np.ndarray]  # region -> vertex ids

    @property
    def frame_count(self) -> int:
        return int(self.verts.shape[0])


def estimated_intrinsics(width: int, height: int, focal_fraction: float = DEFAULT_FOCAL_FRACTION) -> Tensor:
    f = focal_fraction * max(width, height)
    return intrinsics(f, f, width / 2.0, height / 2.0)


def lift_landmarks(
    landmarks: np.ndarray, K: np.ndarray, eye_span_m: float = DEFAULT_EYE_SPAN_M
) -> np.ndarray:
    """Camera-frame vertices [N, V, 3] (metres) from pixel landmarks [N, V, 3]; see the module doc."""
    lm = np.asarray(landmarks, dtype=np.float64)
    f = float(K[0, 0])
    cx, cy = float(K[0, 2]), float(K[1, 2])
    a, b = EYE_OUTER_CORNERS
    span_px = np.linalg.norm(lm[:, a] - lm[:, b], axis=-1)  # [N]
    z0 = f * eye_span_m / np.maximum(span_px, 1e-6)  # [N] mean face depth
    z_rel = lm[..., 2] - lm[..., 2].mean(axis=1, keepdims=True)
    Z = z0[:, None] * (1.0 + z_rel / f)
    X = (lm[..., 0] - cx) * Z / f
    Y = (lm[..., 1] - cy) * Z / f
    verts = np.stack([X, Y, Z], axis=-1)
    # scaling about the camera centre keeps every projection: make the 3D eye span exact
    span_m = np.linalg.norm(verts[:, a] - verts[:, b], axis=-1)
    return (verts * (eye_span_m / np.maximum(span_m, 1e-12))[:, None, None]).astype(np.float32)


def _fill_invalid(verts: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Copy the nearest valid frame into frames without a face."""
    good = np.flatnonzero(valid)
    if good.size == 0:
        raise BadInput(
            Text("no frame of the clip has a tracked face; choose a clip where the face is visible")
        )
    nearest = good[np.abs(np.arange(len(valid))[:, None] - good[None, :]).argmin(axis=1)]
    return verts[nearest]


def load_mediapipe_mesh(
    clip_dir: Path | str,
    device: torch.device | str = "cpu",
    focal_fraction: float = DEFAULT_FOCAL_FRACTION,
    eye_span_m: float = DEFAULT_EYE_SPAN_M,
) -> MediaPipeMesh:
    """The tracked face mesh of a prepared clip folder, read through `PreparedClip` (the one reader);
    the camera is the one prepare solved the head poses with, its focal length times `focal_fraction`."""
    from core.face.prepared import PreparedClip

    clip = PreparedClip.load(clip_dir)
    width, height, fps = clip.width, clip.height, clip.fps
    landmarks = clip.landmarks
    if landmarks.ndim != 3 or landmarks.shape[1:] != (topology.NUM_VERTICES, 3):
        raise BadInput(
            Text(
                "{landmarks_file} must hold [N, {vertices}, 3] landmarks, "
                "got {landmarks_shape}; prepare the clip again",
                landmarks_file=clip.path / "landmarks.npy",
                vertices=topology.NUM_VERTICES,
                landmarks_shape=landmarks.shape,
            )
        )
    valid = np.isfinite(landmarks).all(axis=(1, 2)) & (np.abs(landmarks).sum(axis=(1, 2)) > 0)
    valid &= clip.valid
    cam = clip.camera()
    K = intrinsics(focal_fraction * cam[0, 0], focal_fraction * cam[1, 1], cam[0, 2], cam[1, 2])
    verts = _fill_invalid(lift_landmarks(np.nan_to_num(landmarks), K.numpy(), eye_span_m), valid)
    faces = torch.as_tensor(np.asarray(topology.triangles(fill_holes=True, irises=True), dtype=np.int64))
    return MediaPipeMesh(
        verts=torch.from_numpy(verts).to(device),
        faces=faces.to(device),
        camera=Camera(torch.eye(4), K, width, height).to(device),
        fps=fps,
        valid=valid,
        region_triangles={n: np.asarray(topology.region_triangles(n)) for n in topology.REGION_NAMES},
        region_vertices={n: np.asarray(topology.region_vertices(n)) for n in topology.REGION_NAMES},
    )
