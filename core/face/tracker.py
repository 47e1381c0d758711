"""MediaPipe face-mesh tracking (mediapipe 0.10.14 legacy solution, 478 refined landmarks).

Video mode: the mesh is tracked from frame to frame and the face detector runs again whenever a
face is lost. Up to `max_faces` faces are tracked so that one subject can be chosen: the face
nearest to the previous frame's subject, or on a fresh start the largest, most central one.
Tracking several faces makes MediaPipe run its detector on every frame while fewer are in view
(about 1.5x slower), so when only one face shows during the first `probe_frames` frames the
tracker switches to one face: MediaPipe then keeps following that subject and detects again only
when it is lost.
Frames bigger than `max_side` are downscaled for tracking; landmarks come back in full-frame
pixels (z is MediaPipe's z scaled by the full frame width, so it shares the x/y units).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import cv2
import numpy as np

from core.face.native_stderr import filtered_native_stderr, silence_python_warnings

TRACKER_NAME = "mediapipe.face_mesh"
NUM_LANDMARKS = 478


@dataclass(frozen=True)
class TrackerSettings:
    max_side: int = 1280  # longest side given to MediaPipe; 4K frames are downscaled to this
    max_faces: int = 2  # faces tracked at once, to choose a subject among several people
    probe_frames: int = 25  # frames watched for a second face before dropping to one-face tracking
    quiet_frames: int = 3  # frames of each new graph during which MediaPipe's notices are filtered
    min_detection_confidence: float = 0.5
    min_tracking_confidence: float = 0.5


def tracker_version() -> str:
    import mediapipe

    return str(mediapipe.__version__)


class FaceTracker:
    """Stateful per-clip tracker; use as a context manager, feed frames in order."""

    def __init__(self, settings: TrackerSettings = TrackerSettings()) -> None:
        self.settings = settings
        self.max_faces = settings.max_faces
        self._quiet: contextlib.ExitStack | None = None  # MediaPipe's start-up notices filtered
        self._graph_frames = 0  # frames processed by the current graph
        self._mesh = self._open(self.max_faces)
        self._previous: np.ndarray | None = None  # last subject's landmarks, for consistency
        self._frames = 0
        self.most_faces = 0  # the most faces seen at once so far

    def _open(self, max_faces: int):
        """A new graph; MediaPipe's native start-up notices are filtered until it has run a few frames.

        The graph starts its engines on background threads, so the filter spans the whole
        warm-up (construction to frame `quiet_frames`), not single calls.
        """
        silence_python_warnings()
        self._end_quiet()
        self._quiet = contextlib.ExitStack()
        self._quiet.enter_context(filtered_native_stderr())
        self._graph_frames = 0
        try:
            import mediapipe as mp

            return mp.solutions.face_mesh.FaceMesh(
                static_image_mode=False,
                max_num_faces=max_faces,
                refine_landmarks=True,
                min_detection_confidence=self.settings.min_detection_confidence,
                min_tracking_confidence=self.settings.min_tracking_confidence,
            )
        except BaseException:
            self._end_quiet()
            raise

    def _end_quiet(self) -> None:
        quiet, self._quiet = getattr(self, "_quiet", None), None
        if quiet is not None:
            quiet.close()

    def _process(self, rgb: np.ndarray):
        result = self._mesh.process(rgb)
        self._graph_frames += 1
        if self._graph_frames >= self.settings.quiet_frames:
            self._end_quiet()
        return result

    def track(self, frame_bgr: np.ndarray) -> np.ndarray | None:
        """Landmarks [478, 3] float32 in full-frame pixels for the subject, or None (no face)."""
        h, w = frame_bgr.shape[:2]
        scale = min(1.0, self.settings.max_side / max(h, w))
        small = (
            frame_bgr
            if scale == 1.0
            else cv2.resize(frame_bgr, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
        )
        sh, sw = small.shape[:2]
        result = self._process(cv2.cvtColor(small, cv2.COLOR_BGR2RGB))
        faces = result.multi_face_landmarks or []
        self._frames += 1
        self.most_faces = max(self.most_faces, len(faces))
        if self.max_faces > 1 and self._frames == self.settings.probe_frames and self.most_faces <= 1:
            self._mesh.close()
            self.max_faces = 1
            self._mesh = self._open(1)
        if not faces:
            return None
        candidates = []
        for face in faces:
            arr = np.array([(p.x, p.y, p.z) for p in face.landmark], dtype=np.float32)
            arr *= np.array([sw, sh, sw], dtype=np.float32) / scale
            candidates.append(arr)
        chosen = choose_subject(candidates, self._previous, (w, h))
        self._previous = chosen
        return chosen

    def close(self) -> None:
        try:
            self._mesh.close()
        finally:
            self._end_quiet()

    def __enter__(self) -> FaceTracker:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def choose_subject(faces: list[np.ndarray], previous: np.ndarray | None, size: tuple[int, int]) -> np.ndarray:
    """Pick one face [478, 3] among several.

    With a previous subject, the face whose centre is nearest to it (within one face width)
    keeps the identity; otherwise score = face area x centrality, so the largest, most central
    person is the subject.
    """
    if len(faces) == 1:
        return faces[0]
    centres = np.array([f[:, :2].mean(axis=0) for f in faces])
    widths = np.array([np.ptp(f[:, 0]) for f in faces])
    heights = np.array([np.ptp(f[:, 1]) for f in faces])
    if previous is not None:
        dist = np.linalg.norm(centres - previous[:, :2].mean(axis=0), axis=1)
        best = int(np.argmin(dist))
        if dist[best] < max(np.ptp(previous[:, 0]), 1.0):
            return faces[best]
    w, h = size
    off_centre = np.linalg.norm((centres - (w / 2, h / 2)) / (w, h), axis=1)  # 0 centre .. ~0.7 corner
    score = widths * heights * (1.0 - off_centre)
    return faces[int(np.argmax(score))]
