"""Quality gates and per-frame scores for a tracked clip: missing faces, face size, confidence."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.face.smoothing import runs
from core.jobs.errors import BadInput
from core.jobs.message import Text

# PnP reprojection residual of the rigid points (in eye-corner distances) at which confidence
# reaches 0: a well-tracked face sits near 0.02-0.04 (confidence ~0.75-0.85).
RESIDUAL_AT_ZERO = 0.15


def frame_ranges(mask: np.ndarray, limit: int = 8) -> str:
    """'3-7, 12, 40-41' for the True runs of a mask (first `limit` runs, then '...')."""
    parts = [f"{a}" if b - a == 1 else f"{a}-{b - 1}" for a, b in runs(mask)]
    return ", ".join(parts[:limit]) + (", ..." if len(parts) > limit else "")


def time_ranges(mask: np.ndarray, fps: float, limit: int = 8) -> str:
    """'0.00-2.00 s, 5.20-5.60 s' for the True runs of a per-frame mask at `fps` (first `limit`)."""
    parts = [f"{a / fps:.2f}-{b / fps:.2f} s" for a, b in runs(mask)]
    return ", ".join(parts[:limit]) + (", ..." if len(parts) > limit else "")


@dataclass(frozen=True)
class TrackedFootage:
    """How much of a clip must show the face for prepare to go on.

    Frames without a face are left out of training (every trainer reads the `face_found` flags),
    so what matters is the tracked footage that remains, not the share lost: a clip that starts
    with the speaker walking in, or has them turn away for a moment, prepares with a warning as
    long as `min_seconds` of it show the face. A clip shorter than about min_seconds / `short_clip`
    cannot hold that much; it needs a face in `short_clip` of its frames instead. And a clip with a
    face in fewer than `min_fraction` of its frames is mostly face-less, whatever its length.
    """

    min_seconds: float = 2.5  # two seconds to train on after the default 20 % hold-out
    short_clip: float = 0.8
    min_fraction: float = 0.5

    def frames_needed(self, frame_count: int, fps: float) -> float:
        """Tracked frames a clip of `frame_count` frames at `fps` needs (a frame count, not rounded)."""
        need = min(self.min_seconds * fps, self.short_clip * frame_count)
        return max(need, self.min_fraction * frame_count)


def check_tracking(
    found: np.ndarray, video: Path, fps: float, rule: TrackedFootage = TrackedFootage()
) -> None:
    """BadInput when too little of the clip shows a face (`TrackedFootage`); the message names the
    frames and the times without one (what a video editor shows) and how much is needed."""
    missing = ~np.asarray(found, bool)
    n, tracked = len(missing), int((~missing).sum())
    need = rule.frames_needed(n, fps)
    if tracked >= need:
        return
    lost = Text(
        "{video}: no face found in {missing} of {n} frames ({percent:.0f}%) - frames {frames} (at {times})",
        video=video,
        missing=int(missing.sum()),
        n=n,
        percent=100 * missing.mean(),
        frames=frame_ranges(missing),
        times=time_ranges(missing, fps),
    )
    if not tracked:
        raise BadInput(Text("{lost}. Use a video in which one person's face is visible.", lost=lost))
    if tracked < rule.min_fraction * n:
        raise BadInput(
            Text(
                "{lost}: most of the clip shows no face, and prepare needs a face in at least "
                "{min_percent:.0f}% of the frames. Trim the video to the part where "
                "the speaker's face is in view (or use a clip where it stays in view).",
                lost=lost,
                min_percent=100 * rule.min_fraction,
            )
        )
    need_s = min(rule.min_seconds, rule.short_clip * n / fps)
    raise BadInput(
        Text(
            "{lost}, which leaves {tracked_s:.2f} s with the face in view; prepare needs at "
            "least {need_s:.2f} s of it ({need_frames} frames at {fps:g} fps) to train an "
            "avatar. Use a longer clip, or one where the face stays in view (trim or "
            "re-record the face-less part).",
            lost=lost,
            tracked_s=tracked / fps,
            need_s=need_s,
            need_frames=math.ceil(need),
            fps=fps,
        )
    )


def missing_faces_warning(found: np.ndarray, fps: float, video: Path | str) -> str | None:
    """For a clip prepared with frames that show no face: how many seconds, and where (they are left
    out of training); None when every frame has a face."""
    missing = ~np.asarray(found, bool)
    if not missing.any():
        return None
    n = len(missing)
    return (
        f"{Path(video).name}: no face in {missing.sum() / fps:.2f} s of {n / fps:.2f} s "
        f"({int(missing.sum())} of {n} frames, at {time_ranges(missing, fps)}); those frames are left "
        f"out of training, {(n - missing.sum()) / fps:.2f} s with the face in view remain."
    )


def check_face_size(
    landmarks: np.ndarray, min_px: float, video: Path, frames: np.ndarray | None = None
) -> None:
    """BadInput when the face (landmark box width, median over `frames`, a mask or indices; all by
    default) is narrower than `min_px`."""
    xs = landmarks[:, :468, 0]
    widths = np.ptp(xs if frames is None else xs[frames], axis=1)
    width = float(np.median(widths))
    if width < min_px:
        raise BadInput(
            Text(
                "{video}: the face is only {width:.0f} px wide (median over the clip); at least "
                "{min_px:.0f} px is needed. Use a closer shot or a higher-resolution video.",
                video=video,
                width=width,
                min_px=min_px,
            )
        )


def crops_past_the_edge(out_of_frame: np.ndarray, found: np.ndarray, video: Path | str) -> str | None:
    """A warning when the face crop reaches past the frame's edge in most tracked frames, else None.

    The lip-sync avatar trains only on frames whose face crop (mouth box, chin and forehead margin)
    lies inside the image; the Gaussian avatar uses every tracked frame.
    """
    out = np.asarray(out_of_frame, bool) & np.asarray(found, bool)
    if out.sum() <= 0.5 * max(1, int(np.sum(found))):
        return None
    return (
        f"{Path(video).name}: the face crop (mouth, chin and a margin above) reaches past the frame's edge "
        f"in {int(out.sum())} of {int(np.sum(found))} tracked frames ({frame_ranges(out)}), a close-up "
        f"too tight: {LIPSYNC_EDGE_FIX}"
    )


LIPSYNC_EDGE_FIX = Text(
    "the lip-sync avatar trains only on frames whose crop is inside the image (the Gaussian avatar "
    "uses them all). Use a shot with some space around the face (zoom out, or crop the video less tightly)."
)


def confidence(residual: np.ndarray, found: np.ndarray) -> np.ndarray:
    """Per-frame tracking confidence in [0, 1]: how well one rigid 3-D face explains the landmarks
    (1 - PnP residual / RESIDUAL_AT_ZERO); 0 without a face."""
    conf = np.clip(1.0 - np.nan_to_num(residual, nan=np.inf) / RESIDUAL_AT_ZERO, 0.0, 1.0)
    return np.where(found, conf, 0.0).astype(np.float32)
