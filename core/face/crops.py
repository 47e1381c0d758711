"""Stabilised face and mouth crop boxes, in DINet's geometry, in full-resolution frame pixels.

For mouth size M the face crop is (13M/8) high and (5M/4) wide with the M x M mouth box M/2 from
its top and M/8 from its left (see `core.lipsync.geometry`). In the frame, the mouth box side S
is `MOUTH_BOX_PER_FACE_WIDTH` times the cheek-to-cheek width (vertices 234-454) and its centre is
the mean face's mouth centre carried into the frame by the head pose — both follow the skull, not
the jaw, so the crop does not jump while the person speaks. Both are then smoothed over time.
Boxes are `x0, y0, x1, y1` float pixels; the face box is S x 13S/10 px and is resized to the
crop size, so the scale is uniform.
"""

from __future__ import annotations

import cv2
import numpy as np

from core.face.pose import Poses
from core.face.smoothing import gaussian_smooth
from core.face.topology import LIPS_OUTER

MOUTH_BOX_PER_FACE_WIDTH = 0.7
CHEEKS = (234, 454)
CENTRE_SIGMA_S = 0.04  # seconds: the centre follows head motion closely
SIZE_SIGMA_S = 0.5  # seconds: the size changes only as the person moves toward or away from the camera


def face_box_from_mouth(mouth: np.ndarray) -> np.ndarray:
    """Face boxes [N, 4] from mouth boxes [N, 4] (DINet: M/8 each side, M/2 above, M/8 below)."""
    side = mouth[:, 2] - mouth[:, 0]
    return np.stack(
        [mouth[:, 0] - side / 8, mouth[:, 1] - side / 2, mouth[:, 2] + side / 8, mouth[:, 3] + side / 8],
        axis=1,
    )


def crop_boxes(poses: Poses, fps: float, size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(face_boxes [N, 4], mouth_boxes [N, 4], crop_out_of_frame [N] bool) for a clip's poses."""
    return crop_boxes_2d(poses.mean_shape, poses.similarity, poses.scale, fps, size)


def crop_boxes_2d(
    mean_shape: np.ndarray, similarity: np.ndarray, scale: np.ndarray, fps: float, size: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`crop_boxes` from the only poses it reads: the mean shape [478, 3] and the 2-D similarity
    [N, 2, 3] with its scale [N] (known before the PnP, `estimate_poses(similarity_ready=...)`)."""
    mean = mean_shape.astype(np.float64)
    mouth_mean = mean[list(LIPS_OUTER), :2].mean(axis=0)
    cheek_mean = float(np.linalg.norm(mean[CHEEKS[0], :2] - mean[CHEEKS[1], :2]))
    sim = similarity.astype(np.float64)
    lin, t = sim[:, :, :2], sim[:, :, 2]
    centre = np.linalg.solve(lin, (mouth_mean - t)[..., None])[..., 0]  # inverse similarity
    side = MOUTH_BOX_PER_FACE_WIDTH * cheek_mean / scale.astype(np.float64)
    centre = gaussian_smooth(centre, CENTRE_SIGMA_S * fps)
    side = gaussian_smooth(side, SIZE_SIGMA_S * fps)
    half = side[:, None] / 2
    mouth = np.concatenate([centre - half, centre + half], axis=1)
    face = face_box_from_mouth(mouth)
    w, h = size
    out = (face[:, 0] < -0.5) | (face[:, 1] < -0.5) | (face[:, 2] > w + 0.5) | (face[:, 3] > h + 0.5)
    return face.astype(np.float32), mouth.astype(np.float32), out


def cut_crop(frame: np.ndarray, box: np.ndarray, out_size: tuple[int, int]) -> np.ndarray:
    """Resample `box` (x0, y0, x1, y1) of a frame to `out_size` (height, width); edges replicate outside."""
    x0, y0, x1, y1 = (float(v) for v in box)
    oh, ow = out_size
    sx, sy = ow / (x1 - x0), oh / (y1 - y0)
    m = np.array([[sx, 0, -x0 * sx], [0, sy, -y0 * sy]], dtype=np.float64)
    return cv2.warpAffine(frame, m, (ow, oh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
