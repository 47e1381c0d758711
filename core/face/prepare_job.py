"""`PrepareJob`: a video file -> a prepared clip folder (the contract every trainer reads).

prepared/<clip>/
  manifest.json   schema 1: sizes, fps, source (path, sha256, ...), tracker, per-frame quality,
                  reference candidates, crop geometry, timings
  video.mp4       the constant-rate frames at full resolution (H.264, low CRF; or the source's own
                  packets, copied, when it already is constant-rate at the target fps and upright);
                  frame i <-> landmarks[i]
  landmarks.npy   float32 [N, 478, 3]: x, y full-frame pixels, z MediaPipe depth x frame width.
                  Frames without a face hold values interpolated from their neighbours and are
                  flagged (quality.face_found false): exclude them.
  poses.npz       similarity [N,2,3] (frame px -> mean face), scale [N], rotation [N,3,3] and
                  translation [N,3] (PnP against mean_shape [478,3]), camera [3,3], residual [N]
  crops.npz       face_boxes, mouth_boxes [N, 4] (x0, y0, x1, y1 float px, stabilised), mouth_size
  audio.wav       16 kHz mono PCM16, exactly frame_count / fps seconds (only when the source has audio),
                  the file's own timing; its sound-vs-picture offset is measured at the end
                  (`core.mouth.av_sync`, manifest `av_sync`) and removed when the clip's audio is read
  preview.jpg     landmarks and crop boxes drawn on four frames

The folder is built under a temporary name and renamed when complete, so a cancel or an error
(bad input included) leaves no partial clip under prepared/<clip>. A failure (not a cancel) is
recorded as prepared/<clip>/prepare_failed.json (`core.face.prepare_failure`) for the clip's card;
a successful prepare replaces the folder and with it the record.
While it runs, the clip is claimed (`core.io.claim`): a studio window or command of another
process cannot remove or rename it under the prepare, nor prepare it a second time at once.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field, fields
from pathlib import Path

import cv2
import numpy as np

from core.audio.silence import is_silent, voiced_fraction
from core.face import clip_quality
from core.face.crops import crop_boxes_2d
from core.face.mouth_metrics import mouth_opening, reference_frames
from core.face.pipeline import Background, StageTimes, run_pipeline
from core.face.pose import Poses, estimate_poses
from core.face.prepare_failure import record_failure
from core.face.preview import TILE, PreviewTiles, ThumbnailSampler, TrackingPreview
from core.face.smoothing import OneEuroSettings, fill_gaps, smooth_landmarks
from core.face.tracker import (
    NUM_LANDMARKS,
    TRACKER_NAME,
    FaceTracker,
    TrackerSettings,
    tracker_version,
    tracking_input,
)
from core.io import atomic
from core.io.claim import claimed
from core.io.output_paths import check_output_folder
from core.jobs.context import JobContext
from core.jobs.errors import BadInput, JobCancelled
from core.jobs.job import Job, failure_message
from core.jobs.message import Text
from core.lipsync.geometry import crop_geometry
from core.media import decode
from core.media.audio import AUDIO_RATE, read_audio
from core.media.mp4_writer import Mp4Writer
from core.media.remux import can_copy, copy_video
from core.media.wav import write_wav
from core.mouth.av_sync import AvOffset, AvSync, fixed_offset, parse_av_sync
from core.train.holdout import frames_needed, min_clip_frames

SCHEMA = 1


@dataclass(frozen=True)
class PrepareSettings:
    fps: float = 25.0
    mouth_size: int = 128
    crf: int = 14  # near-transparent H.264: trainers learn from these pixels
    # how much of the clip must show the face (frames without one are flagged and left out)
    tracked: clip_quality.TrackedFootage = field(default_factory=clip_quality.TrackedFootage)
    min_face_px: float = 80.0
    reference_count: int = 8
    copy_when_possible: bool = True  # reuse the source's packets when they already fit (lossless, fast)
    tracker: TrackerSettings = field(default_factory=TrackerSettings)
    smoothing: OneEuroSettings = field(default_factory=OneEuroSettings)
    # the sound-vs-picture offset: "auto" measures it (applied only when clear), "off" keeps the
    # file's timing, a number (ms, > 0: the sound runs late) forces it (`core.mouth.av_sync`)
    av_sync: AvSync = "auto"

    def check(self) -> None:
        crop_geometry(self.mouth_size)  # BadInput naming the allowed sizes
        parse_av_sync(self.av_sync)  # BadInput naming the allowed values
        if not 1.0 <= self.fps <= 120.0:
            raise BadInput(
                Text(
                    "fps {fps} is out of range; choose a frame rate between 1 and 120 (default 25).",
                    fps=self.fps,
                )
            )


def file_sha256(path: Path, stop: threading.Event | None = None, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file; stops early (returning "") once `stop` is set."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            if stop is not None and stop.is_set():
                return ""
            h.update(block)
    return h.hexdigest()


class PrepareJob(Job):
    """Decode, track, smooth, pose, crop and write one clip; returns the clip folder."""

    name = "prepare"

    def __init__(
        self, video: Path | str, out_dir: Path | str, settings: PrepareSettings = PrepareSettings()
    ) -> None:
        self.video = Path(video)
        self.out_dir = Path(out_dir)
        self.settings = settings

    def run(self, ctx: JobContext) -> Path:
        # claimed first: a clip another process is removing or preparing is refused (InUse),
        # never recorded as this clip's failure
        with claimed(self.out_dir, "prepare", f"prepare '{self.out_dir.name}'"):
            try:
                self.settings.check()
                # the graph is built while the file is probed (a missing file is refused without it)
                with _GraphStart(self.settings.tracker, early=self.video.is_file()) as graph:
                    return self._prepare(ctx, graph)
            except Exception as exc:  # JobCancelled too: a cancel is no failure to remember
                if not isinstance(exc, JobCancelled):
                    record_failure(self.out_dir, failure_message(exc), self.video, isinstance(exc, BadInput))
                raise

    def _prepare(self, ctx: JobContext, graph: _GraphStart) -> Path:
        s = self.settings
        t_start = time.perf_counter()
        # every bad-input check on the file happens before any write; the probe decodes the first
        # frame anyway, and the tracker starts on it while the stream's decoder opens the file
        info, first_rgb = decode.probe_with_first_frame(self.video, rgb=True)
        n = info.output_frames(s.fps)
        if n < min_clip_frames():
            raise BadInput(
                Text(
                    "{video} gives {n} {frames} at {fps:g} fps ({seconds:.2f} s); training an avatar "
                    "needs {frames_needed}. Prepare a longer video (at least {min_seconds:.2f} s).",
                    video=self.video.name,
                    n=n,
                    frames=Text("frames") if n != 1 else Text("frame"),
                    fps=s.fps,
                    seconds=info.duration,
                    frames_needed=frames_needed(),
                    min_seconds=min_clip_frames() / s.fps,
                )
            )
        # the clip is made beside its final name: a read-only project is refused here, not mid-way
        check_output_folder(
            self.out_dir.parent,
            Text("the prepared clips' folder"),
            Text(
                "make the project folder writable (or copy the project somewhere writable) and prepare again."
            ),
        )
        size = (info.width - info.width % 2, info.height - info.height % 2)
        ctx.log(
            f"{self.video.name}: {info.width}x{info.height}, {info.fps:.3f} fps, {info.frame_count} frames, "
            f"{info.duration:.2f} s -> {n} frames at {s.fps:g} fps"
        )
        for done in info.conversions:  # "HDR (HLG) converted to SDR BT.709", "interlaced (...) deinterlaced"
            ctx.log(f"{self.video.name}: {done}")
        timings = {"probe_s": time.perf_counter() - t_start}
        ctx.checkpoint()

        # The audio track (read and written), the file's hash, the copy of the source's packets
        # and the live preview run on threads while the frames stream past (from the first frame
        # tracked on); the arrays and the preview are written on threads as the analysis makes
        # them. The threads are joined before the folder is renamed or, on an error or a cancel,
        # removed.
        with atomic.atomic_dir(self.out_dir) as tmp, Background(workers=5) as side:
            later: dict[str, Future] = {}

            def start_side_work() -> None:  # once the first frame is tracked: off the start's path
                if info.has_audio:
                    later["audio"] = side.start(_copy_audio, self.video, n / s.fps, tmp)
                    later["heard"] = side.start(_heard, later["audio"], s, n)
                later["sha"] = side.start(file_sha256, self.video, side.stop)

            # Once the last frame is tracked, the analysis runs on this thread while the encoder
            # works through its backlog; every file is written (and fsynced) on its own side thread
            # as soon as its arrays are final (landmarks.npy while the poses are solved), the
            # manifest included, so the disk waits overlap the analysis and each other.
            after: dict = {}  # "files": the _FileWriter, "analysis": the Analysis

            def analyse_all(streamed: Streamed) -> None:
                t0 = time.perf_counter()
                files = after["files"] = _FileWriter(side, tmp, streamed, size, s.mouth_size)
                raw = streamed.landmarks, streamed.found
                after["analysis"] = analyse(*raw, size, s, self.video, ready=files.ready, submit=side.start)
                timings["post_s"] = time.perf_counter() - t0

            t0 = time.perf_counter()
            streamed = self._stream(
                ctx, info, first_rgb, n, size, tmp, side, graph, start_side_work, analyse_all
            )
            audio_job, sha_job = later.get("audio"), later["sha"]
            result: Analysis = after["analysis"]
            timings["stream_s"] = streamed.times.last_tracked - t0
            timings.update(
                decode_s=streamed.times.decode, track_s=streamed.times.track, encode_s=streamed.times.encode
            )
            timings.update({f"{stage}_thread_cpu_s": cpu for stage, cpu in streamed.times.cpu.items()})
            # the start (probe, graph, first decoded frame) and the end after the last tracked frame
            times = streamed.times
            timings["first_frame_s"] = times.first_tracked - t_start
            ctx.checkpoint()

            t0 = time.perf_counter()  # the timings end when the manifest is handed over
            writes = after["files"].writes
            voiced, audio = audio_job.result() if audio_job is not None else (None, None)
            heard = later["heard"].result() if "heard" in later else None
            t1 = time.perf_counter()
            av = _av_offset(s, audio, heard, result.landmarks, streamed.found)
            timings["av_sync_s"] = time.perf_counter() - t1
            sha = sha_job.result()
            timings["write_s"] = time.perf_counter() - t0  # includes any wait for the audio and hash
            timings["total_s"] = total = time.perf_counter() - t_start
            timings["after_last_frame_s"] = total - (times.last_tracked - t_start)
            timings["after_last_frame_cpu_s"] = time.process_time() - times.last_tracked_cpu
            timings = {k: round(v, 3) for k, v in timings.items()}
            timings["frames_per_s"] = round(n / total, 2)
            manifest = self._manifest(info, sha, n, size, voiced, streamed, result, timings, av)
            writes.append(side.start(atomic.write_json, tmp / "manifest.json", manifest))
            for job in writes:
                job.result()
        if streamed.most_faces > 1:
            ctx.log(
                f"{streamed.most_faces} faces were seen at once in {self.video.name}; the largest, most "
                f"central one was tracked as the speaker (check {self.out_dir / 'preview.jpg'}). "
                "A video with one person gives the cleanest avatar.",
                level="warning",
            )
        if is_silent(voiced):
            ctx.log(
                f"the sound track of {self.video.name} is silent in {100 * (1 - voiced):.0f}% of the clip: "
                "the audio-to-mouth model cannot learn from it (its training leaves this clip out); the "
                "lip-sync and Gaussian avatars still train on its video",
                level="warning",
            )
        if av is not None:
            ctx.log(f"{self.video.name}: {av.describe()}")
        for warning in (
            clip_quality.missing_faces_warning(streamed.found, s.fps, self.video),
            clip_quality.crops_past_the_edge(result.out_of_frame, streamed.found, self.video),
        ):
            if warning:
                ctx.log(warning, level="warning")
        ctx.metric("prepare/frames_per_s", n, n / total)
        ctx.metric("prepare/face_found_fraction", n, float(streamed.found.mean()))
        ctx.artifact(self.out_dir, "prepared_clip")
        return self.out_dir

    def _stream(
        self,
        ctx: JobContext,
        info: decode.VideoInfo,
        first_rgb: np.ndarray,
        n: int,
        size: tuple[int, int],
        tmp: Path,
        side: Background,
        graph: _GraphStart,
        after_first_frame: Callable[[], None],
        after_last_frame: Callable[[Streamed], None],
    ) -> Streamed:
        """Decode (RGB, what MediaPipe reads), track and write video.mp4 (copied or encoded) in one
        pass; progress per frame.

        The first frames decode while the tracker's graph is built; the source's packets are copied
        (when they fit) and `after_first_frame()` runs once the first frame is tracked, so nothing
        else holds up the start; the tracking thread then only feeds the graph (the live preview is
        drawn on `side`), and it does that while the graph works on the next frame
        (`FaceTracker.track_stream`). `after_last_frame(streamed)` runs on this thread once every
        frame is tracked, while the encoder finishes video.mp4 (or the copy is checked).
        """
        s = self.settings
        out = Streamed(np.zeros((n, NUM_LANDMARKS, 3), np.float32), np.zeros(n, bool), ThumbnailSampler(n))
        video = tmp / "video.mp4"
        with contextlib.ExitStack() as stack:
            tracker: FaceTracker | None = None
            writer: Mp4Writer | None = None

            # the source's packets are copied beside the stream, from the first tracked frame on
            copy = s.copy_when_possible and can_copy(info, s.fps, n)
            copying: Future | None = None
            closing: Future | None = None  # the tracker's graph, closed beside the analysis

            def close_tracker() -> None:  # when the stream ends, however it ends
                if closing is None:
                    tracker.close()
                else:
                    closing.result()

            def warm_up() -> bool:  # on this thread, once the decoder has started
                nonlocal tracker, writer
                tracker = graph.take()  # from here on the stream closes it
                stack.callback(close_tracker)
                out.video_mode = "copied from the source" if copy else f"H.264 crf {s.crf}"
                if not copy:
                    writer = Mp4Writer(video, *size, s.fps, crf=s.crf)
                    # closed on the encoder thread after the last frame; any failure or cancel
                    # before that discards it (abort after a close leaves the file alone)
                    stack.callback(writer.abort)
                return not copy

            def after_last() -> None:
                nonlocal closing
                out.most_faces = tracker.most_faces
                closing = side.start(tracker.close)  # the graph's teardown overlaps the analysis
                if copying is not None and copying.result() != n:
                    # the copy came out short (packets the probe counted did not all copy):
                    # encode the frames instead, decoding them again (rare)
                    video.unlink(missing_ok=True)
                    self._encode_again(video, size, n)
                    out.video_mode = f"H.264 crf {s.crf}"
                after_last_frame(out)

            def encode(item: tuple) -> None:  # on the encoder thread
                writer.write_frame(cv2.cvtColor(item[0], cv2.COLOR_RGB2BGR))

            live = TrackingPreview(background=side.start)
            max_side = s.tracker.max_side

            # pulled on the decoder thread; libav decodes on its own frame threads (one thread
            # measured no better) at the default priority (a lower one for the decoder, no better)
            def decoded() -> Iterator[tuple]:
                def item(i: int, frame_rgb: np.ndarray) -> tuple:
                    small = tracking_input(frame_rgb, max_side)  # big frames downscaled here
                    # the preview's thumbnail from the smaller copy where it is at least a tile high
                    thumb_from = small[0] if small[0].shape[0] >= TILE else frame_rgb
                    full = (frame_rgb.shape[1], frame_rgb.shape[0])
                    out.thumbs.offer(i, thumb_from, rgb=True, full_size=full)
                    return frame_rgb, small

                # frame 0 is the probe's (the same pixels as the decoder's first), tracked while the
                # decoder opens the file and decodes the frames after it
                yield item(0, first_rgb)
                frames = decode.iter_frames(self.video, s.fps, n, rgb=True)
                next(frames)  # frame 0 again
                for i, frame_rgb in enumerate(frames, start=1):
                    yield item(i, frame_rgb)

            def track(items: Iterator[tuple]) -> Iterator[tuple[tuple, np.ndarray | None]]:
                # the graph works on the next frame while this frame's result is handled
                for item, lm in tracker.track_stream(items):
                    live.offer(ctx, item[0], lm, rgb=True)
                    yield item, lm

            def on_frame(i: int, lm: np.ndarray | None) -> None:
                nonlocal copying
                if lm is not None:
                    out.landmarks[i] = lm
                    out.found[i] = True
                if i == 0:  # side work starts once the first frame is tracked, off the start's path
                    copying = side.start(copy_video, self.video, video) if copy else None
                    after_first_frame()
                ctx.progress(i + 1, n, "tracking")
                ctx.checkpoint()
                side.raise_failed()

            out.times = run_pipeline(
                decoded(),
                track,
                encode,
                on_frame,
                warm_up=warm_up,
                after_last=after_last,
                encode_end=lambda: writer.close(),
            )
        return out

    def _encode_again(self, video: Path, size: tuple[int, int], n: int) -> None:
        """video.mp4 encoded from a second decode of the source: the frames the stream would
        have encoded (the same conversions), for when a copy of the packets did not work out."""
        s = self.settings
        with Mp4Writer(video, *size, s.fps, crf=s.crf) as writer:
            for frame_rgb in decode.iter_frames(self.video, s.fps, n, rgb=True):
                writer.write_frame(cv2.cvtColor(frame_rgb, cv2.COLOR_RGB2BGR))

    def _manifest(
        self,
        info: decode.VideoInfo,
        sha: str,
        n: int,
        size: tuple[int, int],
        voiced: float | None,
        streamed: Streamed,
        r: Analysis,
        timings: dict,
        av: AvOffset | None,
    ) -> dict:
        s = self.settings
        geom = crop_geometry(s.mouth_size)
        return {
            "schema": SCHEMA,
            "name": self.out_dir.name,
            "fps": float(s.fps),
            "frame_count": int(n),
            "width": int(size[0]),
            "height": int(size[1]),
            "has_audio": voiced is not None,
            "audio_voiced_fraction": None if voiced is None else round(voiced, 4),  # ~0: a silent track
            "audio_sample_rate": AUDIO_RATE,
            "av_sync": None if av is None else av.to_dict(),  # the sound-vs-picture offset (no audio: None)
            "mouth_size": int(s.mouth_size),
            "video": streamed.video_mode,
            "crop": {
                "face_crop_height": geom.crop_height,
                "face_crop_width": geom.crop_width,
                "mouth_top": geom.mouth_top,
                "mouth_left": geom.mouth_left,
                "boxes": "x0, y0, x1, y1 in full-frame pixels; face box = mouth box + M/8 left, right and "
                "below, M/2 above",
            },
            "source": {
                "path": str(self.video.resolve()),
                "sha256": sha,
                "width": info.width,
                "height": info.height,
                "fps": info.fps,
                "frame_count": info.frame_count,
                "duration": info.duration,
                "rotation": info.rotation,
                "conversions": list(info.conversions),  # what decoding did: HDR tone map, deinterlace
            },
            "tracker": {
                "name": TRACKER_NAME,
                "version": tracker_version(),
                "refine_landmarks": True,
                "max_side": s.tracker.max_side,
                "max_faces": s.tracker.max_faces,
                "most_faces_seen": int(streamed.most_faces),
            },
            "quality": {
                "face_found": streamed.found.tolist(),
                "confidence": [round(float(c), 4) for c in r.confidence],
                "crop_out_of_frame": r.out_of_frame.tolist(),
            },
            "mouth_opening": [round(float(v), 5) for v in r.opening],
            "reference_candidates": [int(i) for i in r.reference_candidates],
            "timings": timings,
        }


@dataclass
class Streamed:
    """What one pass over the frames produced."""

    landmarks: np.ndarray  # [N, 478, 3] raw tracker output (zeros where no face)
    found: np.ndarray  # [N] bool
    thumbs: ThumbnailSampler
    times: StageTimes = field(default_factory=StageTimes)
    most_faces: int = 0
    video_mode: str = ""


@dataclass
class Analysis:
    landmarks: np.ndarray  # [N, 478, 3] smoothed, gaps filled
    poses: Poses
    face_boxes: np.ndarray
    mouth_boxes: np.ndarray
    out_of_frame: np.ndarray
    opening: np.ndarray
    confidence: np.ndarray
    reference_candidates: list[int]


def analyse(
    raw: np.ndarray,
    found: np.ndarray,
    size: tuple[int, int],
    s: PrepareSettings,
    video: Path,
    ready: Callable[[str, object], None] | None = None,
    submit: Callable[..., Future] | None = None,
) -> Analysis:
    """Quality gates, then smoothing, pose, crops and reference frames for a raw track [N, 478, 3].

    `ready(name, value)` is told of each result as soon as it is final, so its file can be written
    while the rest is computed: "landmarks" (smoothed), "opening", "crops" ((face_boxes,
    mouth_boxes), from the 2-D fit, before the PnP) and "poses". With `submit` (a thread pool's),
    part of the poses is solved on that pool.
    """
    ready = ready or (lambda name, value: None)
    clip_quality.check_tracking(found, video, s.fps, s.tracked)
    # (a clip with a face in every frame has no gap to fill: its raw track is used as it is)
    filled = raw.astype(np.float32, copy=False) if found.all() else fill_gaps(raw, found).astype(np.float32)
    clip_quality.check_face_size(filled, s.min_face_px, video, found)
    smooth = smooth_landmarks(filled, found, s.fps, s.smoothing)
    ready("landmarks", smooth)
    opening = mouth_opening(smooth)
    ready("opening", opening)
    crops = []

    def with_similarity(mean_shape: np.ndarray, similarity: np.ndarray, scale: np.ndarray) -> None:
        # the crops need only the 2-D fit: their file and the preview are written during the PnP
        crops.append(crop_boxes_2d(mean_shape, similarity, scale, s.fps, size))
        ready("crops", crops[0][:2])

    poses = estimate_poses(smooth, found, size, submit, with_similarity)
    ready("poses", poses)
    face_boxes, mouth_boxes, out_of_frame = crops[0]
    usable = found & ~out_of_frame
    if not (usable & np.isfinite(opening)).any():  # a tight close-up: every crop reaches past an edge
        usable = found  # candidates still come from tracked frames (lip-sync training says why it stops)
    count = min(s.reference_count, int((usable & np.isfinite(opening)).sum()))
    refs = sorted(reference_frames(opening, usable, count).tolist(), key=lambda f: (float(opening[f]), f))
    return Analysis(
        smooth,
        poses,
        face_boxes,
        mouth_boxes,
        out_of_frame,
        opening,
        clip_quality.confidence(poses.residual, found),
        refs,
    )


class _GraphStart:
    """The tracker, its graph built on a thread from the job's start, so that MediaPipe's graph
    construction overlaps the probe (and the checks after it) instead of following them.

    `take()` waits for it and hands it over (the taker closes it); a tracker nobody took (bad input,
    a cancel, an error before the stream) is closed on leaving the block, and an error in building
    it is raised by `take()` only, so it never hides the job's own error. With `early` False
    nothing starts until `take()` (a file that is not there is refused without loading MediaPipe).
    """

    def __init__(self, settings: TrackerSettings, early: bool = True) -> None:
        self._settings = settings
        self._built: Future = Future()
        self._taken = False
        self._thread: threading.Thread | None = None
        if early:
            self._thread = threading.Thread(target=self._build, name="prepare-graph", daemon=True)
            self._thread.start()

    def _build(self) -> None:
        try:
            self._built.set_result(FaceTracker(self._settings))
        except BaseException as exc:
            self._built.set_exception(exc)

    def take(self) -> FaceTracker:
        self._taken = True
        if self._thread is None:
            return FaceTracker(self._settings)
        return self._built.result()

    def __enter__(self) -> _GraphStart:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._thread is None:
            return
        self._thread.join()
        if not self._taken and self._built.exception() is None:
            self._built.result().close()


def _copy_audio(video: Path, duration: float, folder: Path) -> tuple[float, np.ndarray]:
    """audio.wav in `folder`: the video's audio track, 16 kHz mono, exactly `duration` seconds.

    Returns the share of 20 ms hops with sound (0 for a track of digital silence) and the samples.
    """
    audio = read_audio(video, duration=duration)
    write_wav(folder / "audio.wav", audio, AUDIO_RATE)
    return voiced_fraction(audio, AUDIO_RATE // 50), audio


def _heard(audio_job: Future, s: PrepareSettings, n: int) -> np.ndarray | str | None:
    """The sound's half of the offset measurement (`av_sync.heard_opening`), on a side thread while
    the frames are tracked, so the end of the prepare only correlates. None: not wanted; a text: why
    it could not be computed. The prior is read without torch: prepare stays torch-free."""
    if parse_av_sync(s.av_sync) != "auto":
        return None
    from core.mouth.av_sync import heard_opening
    from core.mouth.prior.kernel import load_prior_kernel

    _, audio = audio_job.result()
    try:
        prior = load_prior_kernel()
    except BadInput as exc:  # a missing prior file costs the measurement, never the prepared clip
        return f"no audio prior to measure it with ({exc})"
    return heard_opening(audio, s.fps, n, prior)


def _av_offset(
    s: PrepareSettings,
    audio: np.ndarray | None,
    heard: np.ndarray | str | None,
    landmarks: np.ndarray,
    found: np.ndarray,
) -> AvOffset | None:
    """The clip's sound-vs-picture offset under the prepare setting (None: the clip has no sound)."""
    if audio is None:
        return None
    setting = parse_av_sync(s.av_sync)
    if setting != "auto":
        return fixed_offset(setting, s.fps)
    if isinstance(heard, str):
        return AvOffset(reason=heard)
    from core.mouth.av_sync import measure_av_offset

    return measure_av_offset(audio, s.fps, landmarks, found, heard=heard)


class _FileWriter:
    """Writes each of `analyse`'s results to its file on a side thread as soon as it is final.

    landmarks.npy, crops.npz, poses.npz, and preview.jpg: its landmarks are drawn once the mouth
    opening (which picks the frames shown) is known, while the poses are solved; the boxes once
    the crops are (from the 2-D fit, so the preview's JPEG is encoded during the PnP).
    """

    def __init__(
        self, side: Background, tmp: Path, streamed: Streamed, size: tuple[int, int], mouth_size: int
    ) -> None:
        self.side, self.tmp, self.streamed, self.size, self.mouth_size = side, tmp, streamed, size, mouth_size
        self.values: dict[str, object] = {}
        self.tiles: Future | None = None
        self.writes: list[Future] = []

    def ready(self, name: str, value) -> None:
        self.values[name] = value
        start, tmp, streamed = self.side.start, self.tmp, self.streamed
        if name == "landmarks":
            self.writes.append(start(atomic.save_npy, tmp / "landmarks.npy", value))
        elif name == "opening":
            landmarks = self.values["landmarks"]
            self.tiles = start(PreviewTiles, streamed.thumbs, landmarks, value, streamed.found)
        elif name == "poses":
            poses = {f.name: getattr(value, f.name) for f in fields(value)}  # every Poses field
            self.writes.append(start(_save_npz, tmp / "poses.npz", **poses, camera=_camera(*self.size)))
        elif name == "crops":
            face_boxes, mouth_boxes = value
            crops = {"face_boxes": face_boxes, "mouth_boxes": mouth_boxes}
            mouth_size = np.int32(self.mouth_size)
            self.writes.append(start(_save_npz, tmp / "crops.npz", **crops, mouth_size=mouth_size))
            self.writes.append(start(self._write_preview, face_boxes, mouth_boxes))

    def _write_preview(self, face_boxes: np.ndarray, mouth_boxes: np.ndarray) -> None:
        preview = self.tiles.result().finish(face_boxes, mouth_boxes)
        atomic.write_bytes(self.tmp / "preview.jpg", preview)


def _camera(width: int, height: int) -> np.ndarray:
    f = float(max(width, height))
    return np.array([[f, 0, width / 2], [0, f, height / 2], [0, 0, 1]], dtype=np.float32)


def _save_npz(path: Path, **arrays: np.ndarray) -> None:
    import io

    buf = io.BytesIO()
    np.savez(buf, **arrays)
    atomic.write_bytes(path, buf.getvalue())
