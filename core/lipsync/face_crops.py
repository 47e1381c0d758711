"""Face crops of a prepared clip in DINet geometry, and landmarks carried into the crop frame.

A prepared clip's `face_boxes` (x0, y0, x1, y1, frame pixels) already have the DINet aspect
(5M/4 wide, 13M/8 high for the mouth box side M), so a crop for any mouth size is the box
resampled to `CropGeometry(M).crop_size`: training, evaluation and rendering all cut crops
here, so they agree to the pixel.
"""

from __future__ import annotations

import numpy as np

from core.face.crops import cut_crop
from core.face.prepared import PreparedClip
from core.jobs.message import Text
from core.lipsync.geometry import CropGeometry
from core.lipsync.mouth_shape_map import shape_map_from_landmarks


def crop_scale(box: np.ndarray, geometry: CropGeometry) -> tuple[float, float]:
    """(sx, sy): crop pixels per frame pixel for a face box."""
    h, w = geometry.crop_size
    return w / float(box[2] - box[0]), h / float(box[3] - box[1])


def landmarks_to_crop(landmarks: np.ndarray, box: np.ndarray, geometry: CropGeometry) -> np.ndarray:
    """Landmarks [P, 2+] in frame pixels -> [P, 2] in crop pixels of `box`."""
    sx, sy = crop_scale(box, geometry)
    pts = np.asarray(landmarks, np.float64)[:, :2]
    return np.stack([(pts[:, 0] - box[0]) * sx, (pts[:, 1] - box[1]) * sy], axis=1)


def shape_map(landmarks: np.ndarray, box: np.ndarray, geometry: CropGeometry) -> np.ndarray:
    """The mouth shape map [H, W] float32 of one frame's landmarks [478, 2+] (frame pixels)."""
    return shape_map_from_landmarks(landmarks_to_crop(landmarks, box, geometry), geometry)


def face_crops(clip: PreparedClip, geometry: CropGeometry, indices: np.ndarray | None = None) -> np.ndarray:
    """RGB uint8 crops [n, H, W, 3] of the frames `indices` (all when None), decoded in one pass."""
    want = np.arange(clip.frame_count) if indices is None else np.asarray(indices, np.int64)
    slot = {int(f): i for i, f in enumerate(want)}
    out = np.zeros((len(want), *geometry.crop_size, 3), np.uint8)
    last = int(want.max()) if len(want) else -1
    seen = 0
    for i, frame in enumerate(clip.iter_frames()):
        if i in slot:
            out[slot[i]] = cut_crop(frame, clip.face_boxes[i], geometry.crop_size)[..., ::-1]
            seen += 1
        if i >= last:
            break
    if seen < len(slot):
        from core.jobs.errors import BadInput

        raise BadInput(
            Text(
                "{clip_path}/video.mp4 ends before frame {last}; the prepared clip is damaged - "
                "prepare it again.",
                clip_path=clip.path,
                last=last,
            )
        )
    return out
