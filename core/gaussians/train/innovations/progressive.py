"""Progressive resolution (seed innovation): train at 0.5, then 0.75, then full image size.

Milestones are fractions of the step budget, so the schedule keeps its shape whatever the
number of steps. The camera's intrinsics scale with the image (pixel centres stay at +0.5).
"""

from __future__ import annotations

import bisect

from core.gaussians.camera import Camera
from core.gaussians.train.config import ProgressiveConfig
from core.gaussians.train.innovations.base import Innovation


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
    return camera.scaled(width, height)


class ProgressiveResolution(Innovation):
    name = "progressive"

    def render_size(self, step: int, total_steps: int, width: int, height: int) -> tuple[int, int]:
        return scaled_size(width, height, scale_at(step, total_steps, self.section))
