"""MediaPipe face-mesh tracking (mediapipe 0.10.14 legacy solution, 478 refined landmarks).

Video mode: the mesh is tracked from frame to frame and MediaPipe's face detector runs again only
when the face is lost. One graph tracks one face; the graph also reports every face its detector
saw (`all_face_detections`, normally clipped to the tracked count), so whenever the detector finds
two or more people the tracker reopens with `max_faces` faces and a subject is chosen among them
(`choose_subject`: the face nearest to the previous frame's subject, or on a fresh start the
largest, most central one) for the rest of the clip. A clip with one person therefore runs a
single one-face graph from its first frame: no second graph and no multi-face probe. The graph
is FaceMesh's own (`core.face.face_mesh_graph`), read without building Python protos.

Frames bigger than `max_side` are downscaled for tracking; landmarks come back in full-frame
pixels (z is MediaPipe's z scaled by the full frame width, so it shares the x/y units).

`track_stream` tracks a stream of frames with the graph kept busy: while the graph works on frame
i, the caller's thread takes frame i + 1 from its source, copies it into the graph's input packet
and does its own work on frame i - 1's result, so between two frames the graph waits only for its
output to be read and the next packet to be added (frame by frame, `track_rgb`, it also waits for
all of that Python, which other threads' Python can hold up on the GIL).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from core.face.face_mesh_graph import frame_packet, landmarks_array, open_graph
from core.face.native_stderr import filtered_native_stderr, silence_python_warnings

TRACKER_NAME = "mediapipe.face_mesh"
NUM_LANDMARKS = 478


@dataclass(frozen=True)
class TrackerSettings:
    max_side: int = 1280  # longest side given to MediaPipe; 4K frames are downscaled to this
    max_faces: int = 2  # faces tracked at once once the detector sees several, to choose a subject
    quiet_frames: int = 3  # frames of each new graph during which MediaPipe's notices are filtered
    min_detection_confidence: float = 0.5
    min_tracking_confidence: float = 0.5


@dataclass(frozen=True)
class _Frame:
    """A frame made ready for the graph: its input packet and what maps the output back."""

    packet: Any  # MediaPipe ImageFrame packet of the tracking input (copied), no timestamp
    size: tuple[int, int]  # tracking input (width, height)
    scale: float  # tracking input / full frame
    shape: tuple[int, ...]  # the full frame's


def tracker_version() -> str:
    import mediapipe

    return str(mediapipe.__version__)


class FaceTracker:
    """Stateful per-clip tracker; use as a context manager, feed frames in order."""

    def __init__(self, settings: TrackerSettings = TrackerSettings()) -> None:
        self.settings = settings
        self.max_faces = 1  # faces the current graph tracks; settings.max_faces once several are seen
        self._quiet: contextlib.ExitStack | None = None  # MediaPipe's start-up notices filtered
        self._graph_frames = 0  # frames processed by the current graph
        self._mesh = self._open(1)
        self._previous: np.ndarray | None = None  # last subject's landmarks, for consistency
        self.most_faces = 0  # the most faces tracked at once so far
        self.graphs_opened = 1

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
        s = self.settings
        try:
            return open_graph(max_faces, s.min_detection_confidence, s.min_tracking_confidence)
        except BaseException:
            self._end_quiet()
            raise

    def _end_quiet(self) -> None:
        quiet, self._quiet = getattr(self, "_quiet", None), None
        if quiet is not None:
            quiet.close()

    def track(self, frame_bgr: np.ndarray) -> np.ndarray | None:
        """Landmarks [478, 3] float32 in full-frame pixels for the subject, or None (no face)."""
        small, scale = self._downscale(frame_bgr)
        return self._track(self._ready(cv2.cvtColor(small, cv2.COLOR_BGR2RGB), scale, frame_bgr.shape))

    def track_rgb(
        self, frame_rgb: np.ndarray, downscaled: tuple[np.ndarray, float] | None = None
    ) -> np.ndarray | None:
        """`track` for an RGB frame (what MediaPipe reads: no colour conversion).

        `downscaled` is `tracking_input(frame_rgb)` when another thread has already made it.
        """
        return self._track(self._frame(frame_rgb, downscaled))

    def track_stream(
        self, frames: Iterable[tuple[np.ndarray, tuple[np.ndarray, float] | None]]
    ) -> Iterator[tuple[tuple, np.ndarray | None]]:
        """(item, `track_rgb(*item)`) for each item (frame_rgb, downscaled or None) of `frames`, in
        order, the same landmarks as frame by frame; the graph works on frame i + 1 while the caller
        handles frame i's result (see the module's docstring).

        `frames` is pulled on this thread, one frame ahead of the results; an error it raises comes
        out of this iterator (the tracker stays open: close it as usual).
        """
        source = iter(frames)
        item = next(source, None)
        if item is None:
            return
        frame = self._frame(*item)
        self._mesh.send(frame.packet)
        while True:
            upcoming = next(source, None)  # while the graph works: the decoder refills its queue
            ready = None if upcoming is None else self._frame(*upcoming)  # the copy, meanwhile too
            faces = self._receive(frame)
            if ready is not None:
                self._mesh.send(ready.packet)  # the graph is busy again before this frame's Python
            yield item, self._subject(faces, frame)
            if upcoming is None:
                return
            item, frame = upcoming, ready

    def tracking_input(self, frame: np.ndarray) -> tuple[np.ndarray, float]:
        """(the frame as MediaPipe gets it, at most `max_side` px, its scale); thread-safe."""
        return tracking_input(frame, self.settings.max_side)

    def _downscale(self, frame: np.ndarray) -> tuple[np.ndarray, float]:
        return tracking_input(frame, self.settings.max_side)

    def _frame(self, frame_rgb: np.ndarray, downscaled: tuple[np.ndarray, float] | None = None) -> _Frame:
        small, scale = downscaled if downscaled is not None else self.tracking_input(frame_rgb)
        return self._ready(np.ascontiguousarray(small), scale, frame_rgb.shape)

    @staticmethod
    def _ready(rgb: np.ndarray, scale: float, shape: tuple[int, ...]) -> _Frame:
        return _Frame(frame_packet(rgb), (rgb.shape[1], rgb.shape[0]), scale, shape)

    def _track(self, frame: _Frame) -> np.ndarray | None:
        self._mesh.send(frame.packet)
        return self._subject(self._receive(frame), frame)

    def _receive(self, frame: _Frame) -> list[bytes]:
        """The landmark lists of `frame` (sent last); when the detector sees several people on it,
        the graph is reopened to track them all and the frame is tracked again."""
        faces, detected = self._process()
        if detected is not None and detected > 1 and self.max_faces < self.settings.max_faces:
            self._mesh.close()  # several people: track them all from this frame on, to choose one
            self.max_faces = self.settings.max_faces
            self._mesh = self._open(self.max_faces)
            self.graphs_opened += 1
            self._mesh.send(frame.packet)
            faces, _ = self._process()
        self.most_faces = max(self.most_faces, len(faces))
        return faces

    def _process(self) -> tuple[list[bytes], int | None]:
        result = self._mesh.receive()
        self._graph_frames += 1
        if self._graph_frames >= self.settings.quiet_frames:
            self._end_quiet()
        return result

    def _subject(self, faces: list[bytes], frame: _Frame) -> np.ndarray | None:
        if not faces:
            return None
        sw, sh = frame.size
        to_pixels = np.array([sw, sh, sw], dtype=np.float32) / frame.scale
        candidates = [landmarks_array(face) * to_pixels for face in faces]
        chosen = choose_subject(candidates, self._previous, (frame.shape[1], frame.shape[0]))
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


def tracking_input(frame: np.ndarray, max_side: int) -> tuple[np.ndarray, float]:
    """(the frame as MediaPipe gets it, at most `max_side` px, its scale): needs no graph, so a
    decoder thread can make it before the tracker exists."""
    h, w = frame.shape[:2]
    scale = min(1.0, max_side / max(h, w))
    if scale == 1.0:
        return frame, scale
    return cv2.resize(frame, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA), scale


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
