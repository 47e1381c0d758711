"""The prepared clip's preview: landmarks and crop boxes drawn on four frames, as one JPEG.

Frames are kept as small thumbnails while the clip streams past (`ThumbnailSampler`), so the
preview never decodes video.mp4 again; the four shown span closed to open mouth.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future

import cv2
import numpy as np

from core.face.crops import CHEEKS, MOUTH_BOX_PER_FACE_WIDTH, face_box_from_mouth
from core.face.topology import LIPS_OUTER
from core.jobs.context import JobContext

TILE = 320  # preview tile height in pixels
MAX_THUMBNAILS = 96


class ThumbnailSampler:
    """Keeps a TILE-px-high copy of every `stride`-th frame (at most about MAX_THUMBNAILS)."""

    def __init__(self, frame_count: int) -> None:
        self.stride = max(1, -(-frame_count // MAX_THUMBNAILS))
        self.frames: dict[int, np.ndarray] = {}
        self.scale = 1.0

    def offer(
        self, index: int, frame: np.ndarray, rgb: bool = False, full_size: tuple[int, int] | None = None
    ) -> None:
        """Keep frame `index` if it is on the stride (stored BGR; `rgb` says the frame given is RGB).

        `full_size` (width, height): the clip's frame size when `frame` is a smaller copy of it, such
        as the tracker's input; a thumbnail cut from that costs a fraction of one from the original
        (a 4K frame: 50 ms of area averaging against a few) and maps landmarks the same way, since
        `scale` stays relative to the full frame. A copy shorter than a tile is not used."""
        if index % self.stride:
            return
        width, height = full_size or (frame.shape[1], frame.shape[0])
        self.scale = min(1.0, TILE / height)
        size = (max(1, round(width * self.scale)), max(1, round(height * self.scale)))
        if (frame.shape[1], frame.shape[0]) != size:
            # area averaging only where linear would alias (below half size): it costs several times more
            mode = cv2.INTER_LINEAR if size[1] >= frame.shape[0] / 2 else cv2.INTER_AREA
            frame = cv2.resize(frame, size, interpolation=mode)
        self.frames[index] = cv2.cvtColor(frame, cv2.COLOR_RGB2BGR) if rgb else frame.copy()


def pick_frames(candidates: list[int], opening: np.ndarray, count: int = 4) -> list[int]:
    """`count` of the candidate frames spanning the mouth opening, closed to open."""
    if not candidates:
        return []
    known = np.nan_to_num(opening, nan=-1.0)
    order = sorted(candidates, key=lambda i: (float(known[i]), i))
    return list(dict.fromkeys(order[int(round(q))] for q in np.linspace(0, len(order) - 1, count)))


def draw_overlay(
    frame: np.ndarray, landmarks: np.ndarray, face_box: np.ndarray, mouth_box: np.ndarray, rgb: bool = False
) -> np.ndarray:
    """A copy of a BGR frame with the landmarks (dots), the face crop (green) and the mouth box (red).

    Landmarks and boxes are in the frame's own pixels; with `rgb` the frame is RGB (and so is the
    copy). The dots are stamped with numpy (one array write per disc offset, not a call per point).
    """
    img = draw_dots(frame, landmarks, rgb)
    draw_boxes(img, face_box, mouth_box, rgb)
    return img


def draw_dots(frame: np.ndarray, landmarks: np.ndarray, rgb: bool = False) -> np.ndarray:
    """`draw_overlay`'s first half: a copy of the frame with the landmarks as dots."""
    img = frame.copy()
    radius = max(1, round(max(img.shape[:2]) / 500))
    _stamp_dots(img, landmarks[:, :2], radius, (0, 255, 255) if rgb else (255, 255, 0))
    return img


def draw_boxes(img: np.ndarray, face_box: np.ndarray, mouth_box: np.ndarray, rgb: bool = False) -> None:
    """`draw_overlay`'s second half, in place: the face crop (green) and the mouth box (red)."""
    thick = max(1, round(max(img.shape[:2]) / 300))
    green, red = (0, 220, 0), ((255, 0, 0) if rgb else (0, 0, 255))
    for box, colour in ((face_box, green), (mouth_box, red)):
        x0, y0, x1, y1 = (round(float(v)) for v in box)
        cv2.rectangle(img, (x0, y0), (x1, y1), colour, thick, cv2.LINE_AA)


def _stamp_dots(img: np.ndarray, xy: np.ndarray, radius: int, colour: tuple[int, int, int]) -> None:
    """Filled discs of `radius` px at points xy [P, 2] (pixel centres; off-image parts clipped)."""
    xy = xy[np.isfinite(xy).all(axis=1)]
    centres = np.rint(xy).astype(np.int64)
    dy, dx = np.mgrid[-radius : radius + 1, -radius : radius + 1]
    disc = dx**2 + dy**2 <= radius**2
    x = (centres[:, 0, None] + dx[disc]).ravel()
    y = (centres[:, 1, None] + dy[disc]).ravel()
    inside = (x >= 0) & (x < img.shape[1]) & (y >= 0) & (y < img.shape[0])
    img[y[inside], x[inside]] = colour


def draw_preview(
    thumbs: ThumbnailSampler,
    landmarks: np.ndarray,
    face_boxes: np.ndarray,
    mouth_boxes: np.ndarray,
    opening: np.ndarray,
    found: np.ndarray,
) -> bytes:
    """JPEG bytes: four annotated thumbnails side by side (tracked frames first, closed to open mouth)."""
    return PreviewTiles(thumbs, landmarks, opening, found).finish(face_boxes, mouth_boxes)


class PreviewTiles:
    """`draw_preview` in two steps, so the landmarks can be drawn before the crop boxes are known:
    the constructor picks the frames and draws the dots, `finish` the boxes and the JPEG."""

    def __init__(
        self, thumbs: ThumbnailSampler, landmarks: np.ndarray, opening: np.ndarray, found: np.ndarray
    ) -> None:
        tracked = [i for i in thumbs.frames if found[i]]
        self.picks = pick_frames(tracked or list(thumbs.frames), opening)
        self.scale = s = thumbs.scale
        self.tiles = [draw_dots(thumbs.frames[i], landmarks[i] * s) for i in self.picks]

    def finish(self, face_boxes: np.ndarray, mouth_boxes: np.ndarray) -> bytes:
        s = self.scale
        for i, img in zip(self.picks, self.tiles, strict=True):
            draw_boxes(img, face_boxes[i] * s, mouth_boxes[i] * s)
            cv2.putText(img, f"#{i}", (6, 22), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (255, 255, 255), 2, cv2.LINE_AA)
        ok, buf = cv2.imencode(".jpg", np.concatenate(self.tiles, axis=1), [cv2.IMWRITE_JPEG_QUALITY, 88])
        if not ok:
            raise RuntimeError("could not encode the preview JPEG")
        return buf.tobytes()


class TrackingPreview:
    """While a clip streams past, the newest tracked frame with landmarks and rough crop boxes.

    At most one `Preview("tracking", RGB [h, w, 3])` per `interval_s`, downscaled to TILE px high,
    so a GUI can show live tracking without the job paying per frame. The boxes follow the final
    crops' rule (mouth box = MOUTH_BOX_PER_FACE_WIDTH x cheek width around the lips) without the
    pose and temporal smoothing, which need the whole clip. With `background` (a `submit(fn,
    *args) -> Future`, such as `Background.start`) the image is drawn and sent on that pool, one
    at a time, so the tracking thread only hands the frame over.
    """

    def __init__(self, interval_s: float = 0.1, background: Callable[..., Future] | None = None) -> None:
        self.interval_s = interval_s
        self.background = background
        self._last = -float("inf")
        self._pending: Future | None = None

    def offer(
        self, ctx: JobContext, frame: np.ndarray, landmarks: np.ndarray | None, rgb: bool = False
    ) -> None:
        """Maybe emit a preview of `frame` (BGR, or RGB with `rgb`) with its landmarks.

        The frame and landmarks must not be modified afterwards (they may be drawn later).
        """
        now = time.perf_counter()
        if landmarks is None or now - self._last < self.interval_s:
            return
        if self.background is None:
            self._last = now
            self.emit(ctx, frame, landmarks, rgb)
        elif self._pending is None or self._pending.done():
            self._last = now
            self._pending = self.background(self.emit, ctx, frame, landmarks, rgb)

    @staticmethod
    def emit(ctx: JobContext, frame: np.ndarray, landmarks: np.ndarray, rgb: bool = False) -> None:
        """Draw the landmarks and rough boxes on a downscaled copy of `frame` and send it."""
        lm = np.asarray(landmarks, np.float32)
        centre = lm[list(LIPS_OUTER), :2].mean(axis=0)
        half = 0.5 * MOUTH_BOX_PER_FACE_WIDTH * float(np.linalg.norm(lm[CHEEKS[0], :2] - lm[CHEEKS[1], :2]))
        mouth = np.array([[centre[0] - half, centre[1] - half, centre[0] + half, centre[1] + half]])
        face = face_box_from_mouth(mouth)
        s = min(1.0, TILE / frame.shape[0])
        # linear, not area, resampling: several times cheaper, and this image lives a tenth of a second
        small = cv2.resize(frame, None, fx=s, fy=s, interpolation=cv2.INTER_LINEAR) if s < 1.0 else frame
        img = draw_overlay(small, lm * s, face[0] * s, mouth[0] * s, rgb=rgb)
        ctx.preview("tracking", img if rgb else np.ascontiguousarray(img[..., ::-1]))
