"""Quality gates and per-frame scores for a tracked clip: missing faces, face size, confidence."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from core.face.smoothing import runs
from core.jobs.errors import BadInput

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


def check_tracking(
    found: np.ndarray, max_missing_fraction: float, video: Path, fps: float | None = None
) -> None:
    """BadInput when more than `max_missing_fraction` of the frames have no face; with `fps` the
    message also gives the times to trim (what a video editor shows)."""
    missing = ~found
    if missing.mean() > max_missing_fraction:
        at = f" (at {time_ranges(missing, fps)})" if fps else ""
        raise BadInput(
            f"{video}: no face found in {int(missing.sum())} of {len(found)} frames "
            f"({100 * missing.mean():.0f}%, more than {100 * max_missing_fraction:.0f}% allowed) - frames "
            f"{frame_ranges(missing)}{at}. Use a clip where one face is visible throughout (trim the rest)."
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
            f"{video}: the face is only {width:.0f} px wide (median over the clip); at least {min_px:.0f} px "
            "is needed. Use a closer shot or a higher-resolution video."
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


LIPSYNC_EDGE_FIX = (
    "the lip-sync avatar trains only on frames whose crop is inside the image (the Gaussian avatar "
    "uses them all). Use a shot with some space around the face (zoom out, or crop the video less tightly)."
)


def confidence(residual: np.ndarray, found: np.ndarray) -> np.ndarray:
    """Per-frame tracking confidence in [0, 1]: how well one rigid 3-D face explains the landmarks
    (1 - PnP residual / RESIDUAL_AT_ZERO); 0 without a face."""
    conf = np.clip(1.0 - np.nan_to_num(residual, nan=np.inf) / RESIDUAL_AT_ZERO, 0.0, 1.0)
    return np.where(found, conf, 0.0).astype(np.float32)
