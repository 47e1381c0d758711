"""The source loop: the user's video replayed forward, then backward, under new speech.

Every lip-sync output (`dhstudio render`, `dhstudio live`, the GUI) plays the source frames as a
ping-pong loop, so any audio length is covered without a jump cut: output frame j shows loop frame
`ping_pong(N, ...)[j]`. A loop made from a prepared clip holds its frames with a tracked face
(`SourceLoop.from_clip`) and the clip's stabilised face boxes, from which training cut its crops.

For a loop without a prepared clip (tests, benchmarks) `boxes_from_landmarks` builds the same kind
of box from tracked landmarks: a mouth box of `MOUTH_BOX_PER_FACE_WIDTH` x the cheek-to-cheek width
centred on the lips, grown to the face box by `face_box_from_mouth`, smoothed over time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.face.crops import CHEEKS, MOUTH_BOX_PER_FACE_WIDTH, face_box_from_mouth
from core.face.topology import LIPS_OUTER
from core.jobs.message import Text


def _smooth(x: np.ndarray, window: int) -> np.ndarray:
    """Centred moving average along axis 0, edges held."""
    if window <= 1 or len(x) < 2:
        return x
    pad = window // 2
    padded = np.pad(x, [(pad, pad)] + [(0, 0)] * (x.ndim - 1), mode="edge")
    kernel = np.ones(window) / window
    return np.apply_along_axis(lambda v: np.convolve(v, kernel, mode="valid"), 0, padded)


def boxes_from_landmarks(landmarks: np.ndarray, smooth: int = 5) -> np.ndarray:
    """Face boxes [N, 4] (x0, y0, x1, y1, frame pixels) for landmarks [N, 478, 2+]."""
    lm = np.asarray(landmarks, np.float64)[..., :2]
    centre = _smooth(lm[:, list(LIPS_OUTER)].mean(axis=1), smooth)
    side = _smooth(
        MOUTH_BOX_PER_FACE_WIDTH * np.linalg.norm(lm[:, CHEEKS[1]] - lm[:, CHEEKS[0]], axis=1), smooth
    )
    half = side[:, None] / 2
    return face_box_from_mouth(np.concatenate([centre - half, centre + half], axis=1)).astype(np.float32)


# The most a loop's frames may take in memory: every frame is held decoded (BGR uint8), so a
# minutes-long 1080p or 4K clip loaded whole runs out of memory (4500 1080p frames: 28 GB).
LOOP_MEMORY_BYTES = 2 << 30


def frames_within(width: int, height: int, budget: int | None = None) -> int:
    """How many width x height frames a loop holds within `budget` bytes (default
    `LOOP_MEMORY_BYTES`; at least one): 345 at 1920x1080, 86 at 3840x2160, 8192 at 512x512."""
    budget = LOOP_MEMORY_BYTES if budget is None else budget
    return max(1, int(budget) // (int(width) * int(height) * 3))


def ping_pong(frame_count: int, n_out: int, start: int = 0) -> np.ndarray:
    """Source frame per output frame start, ..., start + n_out - 1 ([n_out] int64):
    0, 1, ..., N-1, N-2, ..., 1, 0, 1, ..."""
    if frame_count < 1:
        raise ValueError("need at least one source frame")
    if frame_count == 1:
        return np.zeros(n_out, np.int64)
    period = 2 * (frame_count - 1)
    k = (start + np.arange(n_out)) % period
    return np.where(k < frame_count, k, period - k).astype(np.int64)


@dataclass(frozen=True)
class SourceLoop:
    """Source frames [N, H, W, 3] BGR uint8, their landmarks [N, 478, 3] (frame pixels) and face
    boxes [N, 4] (None: derived from the landmarks)."""

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

    @classmethod
    def from_clip(
        cls, clip, frames: Sequence[int] | None = None, max_frames: int | None = None
    ) -> SourceLoop:
        """A prepared clip's frames with a face (or exactly `frames`), at most `max_frames` of them."""
        from core.jobs.errors import BadInput

        idx = np.flatnonzero(clip.valid) if frames is None else np.asarray(frames, np.int64)
        idx = idx[:max_frames] if max_frames is not None else idx
        if idx.size == 0:
            raise BadInput(
                Text(
                    "prepared clip {clip_path} has no frame with a face; prepare another video",
                    clip_path=clip.path,
                )
            )
        return cls(clip.read_frames(idx.tolist()), clip.landmarks[idx], clip.fps, clip.face_boxes[idx])

    def __len__(self) -> int:
        return int(self.frames.shape[0])

    def index(self, j: int) -> int:
        """Loop frame for output frame j."""
        return int(ping_pong(len(self), 1, j)[0])

    def indices(self, n_out: int, start: int = 0) -> np.ndarray:
        """Loop frames for output frames start .. start + n_out - 1 ([n_out] int64)."""
        return ping_pong(len(self), n_out, start)
