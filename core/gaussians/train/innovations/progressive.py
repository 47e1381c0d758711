"""Progressive resolution (seed innovation): train at 0.5, then 0.75, then full image size.

Milestones are fractions of the step budget, so the schedule keeps its shape whatever the
number of steps. The camera's intrinsics scale with the image (pixel centres stay at +0.5).
"""

from __future__ import annotations

import bisect

from core.gaussians.camera import Camera
from core.gaussians.train.config import ProgressiveConfig


def scale_at(step: int, total_steps: int, cfg: ProgressiveConfig) -> float:
    """The resolution scale in force at ``step`` (1.0 when the innovation is off)."""
    if not cfg.enabled:
        return 1.0
    k = bisect.bisect_right([m * total_steps for m in cfg.milestones], step)
    return float(cfg.scales[k])


def scaled_size(width: int, height: int, scale: float) -> tuple[int, int]:
    return max(1, round(width * scale)), max(1, round(height * scale))


def scale_camera(camera: Camera, width: int, height: int) -> Camera:
    """The same camera rendering a ``width`` x ``height`` image (intrinsics scaled per axis)."""
    if (width, height) == (camera.width, camera.height):
        return camera
    sx, sy = width / camera.width, height / camera.height
    K = camera.K.clone()
    K[0, 0], K[0, 2] = K[0, 0] * sx, K[0, 2] * sx
    K[1, 1], K[1, 2] = K[1, 1] * sy, K[1, 2] * sy
    return Camera(camera.viewmat, K, width, height)
