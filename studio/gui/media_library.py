"""The project's clips as the media panel shows them: imported videos, their facts and states.

Qt-free. A clip is a video in `media/`; its prepared folder is `prepared/<safe_name(stem)>`.
Import probes every file first (a corrupt one is bad input) and only then copies, so a bad
drop changes nothing; copies are atomic.
"""

from __future__ import annotations

import contextlib
import enum
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.audio.silence import is_silent
from core.face.prepare_failure import read_failure
from core.face.prepared import PreparedClip
from core.io import atomic
from core.io.claim import claimed
from core.jobs.context import JobContext
from core.jobs.errors import BadInput
from core.jobs.job import Job
from core.jobs.message import Text
from core.media import decode
from core.train.run_folder import RunFolder
from studio.project import Project, safe_name

THUMB_HEIGHT = 108  # the media cards' thumbnails
VIDEO_SUFFIXES = (".mp4", ".mov", ".mkv", ".avi", ".webm", ".m4v")
SOUND_SUFFIXES = (".wav", ".mp3", ".m4a", ".flac", ".ogg", ".aac")  # speech for Render & Play and Live


class ClipState(enum.Enum):
    IMPORTED = "imported"
    PREPARED = "prepared"
    TRAINED = "trained"


@dataclass(frozen=True)
class ClipEntry:
    name: str  # clip name (prepared/<name>)
    video: Path  # the original in media/
    info: decode.VideoInfo | None  # None: the file cannot be read any more (or is not read yet)
    state: ClipState
    pending: bool = False  # facts not read yet (a background scan is reading them)
    silent_audio: bool = False  # prepare found the sound track to be (near) digital silence
    prepare_failure: str = ""  # the last prepare's error, as recorded in the project ("" when none)

    @property
    def details(self) -> str:
        return self.describe()

    def describe(self, tr: Callable[[str], str] = str) -> str:
        """Size, rate, length and sound of the video; `tr` puts the words in the interface language."""
        if self.pending:
            return tr("reading…")
        if self.info is None:
            return tr("unreadable video")
        i = self.info
        audio = "silent audio" if self.silent_audio else "with audio" if i.has_audio else "no audio"
        return f"{i.width}×{i.height} · {i.fps:.2f} fps · {i.duration:.1f} s · {tr(audio)}"


def short_reason(message: str, limit: int = 60) -> str:
    """A failure's gist for a card: no leading file path, no advice after it, at most `limit` chars."""
    head, sep, rest = message.partition(": ")
    if sep and ("/" in head or "\\" in head):
        message = rest
    for stop in (" (", ". ", " - ", "\n"):
        message = message.split(stop, 1)[0]
    message = message.strip().rstrip(".")
    return message if len(message) <= limit else message[: limit - 1].rstrip() + "…"


_INFO_CACHE: dict[tuple[str, int], decode.VideoInfo | None] = {}
_THUMB_CACHE: dict[tuple[str, int, int], np.ndarray] = {}


def video_info(path: Path) -> decode.VideoInfo | None:
    key = (str(path), path.stat().st_mtime_ns)
    if key not in _INFO_CACHE:
        try:
            _INFO_CACHE[key] = decode.probe(path)
        except BadInput:
            _INFO_CACHE[key] = None
    return _INFO_CACHE[key]


def is_cached(path: Path) -> bool:
    """Whether the facts of `path` are known already (reading them again costs nothing)."""
    return (str(path), path.stat().st_mtime_ns) in _INFO_CACHE


class ReadMediaJob(Job):
    """Probe videos and decode their thumbnails off the GUI thread (results land in the caches)."""

    name = "read media"

    def __init__(self, videos: list[Path], thumb_height: int) -> None:
        self.videos = videos
        self.thumb_height = thumb_height

    def run(self, ctx: JobContext) -> int:
        for video in self.videos:
            ctx.checkpoint()
            if video.exists():
                video_info(video)
                video_thumbnail(video, self.thumb_height)
        return len(self.videos)


def video_thumbnail(path: Path, height: int = 96) -> np.ndarray | None:
    """The first frame, RGB uint8, `height` px high (None when it cannot be decoded)."""
    import cv2

    key = (str(path), path.stat().st_mtime_ns, height)
    if key not in _THUMB_CACHE:
        try:
            frame = next(decode.iter_frames(path, 25.0, 1))
        except (BadInput, StopIteration):
            return None
        scale = height / frame.shape[0]
        small = cv2.resize(
            frame, (max(1, round(frame.shape[1] * scale)), height), interpolation=cv2.INTER_AREA
        )
        _THUMB_CACHE[key] = np.ascontiguousarray(small[..., ::-1])
    return _THUMB_CACHE[key]


def media_videos(project: Project) -> list[Path]:
    if not project.media_dir.is_dir():
        return []
    return sorted(
        p for p in project.media_dir.iterdir() if p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES
    )


def trained_clips(project: Project) -> set[str]:
    """Clips a finished run was trained on (from the run's summary/status 'clips'; a one-clip project's
    finished runs count for its clip). The prior mapped onto a clip (made without training) is not one."""
    names: set[str] = set()
    any_finished = False
    for run in sorted(project.runs_dir.iterdir()) if project.runs_dir.is_dir() else []:
        status = RunFolder(run).read_status()
        if status.get("state") != "finished" or status.get("made_without_training"):
            continue
        any_finished = True
        names.update(str(c) for c in status.get("clips", []))
        summary = run / "summary.json"
        if summary.is_file():
            with contextlib.suppress(json.JSONDecodeError, AttributeError, TypeError):
                names.update(str(c) for c in json.loads(summary.read_text(encoding="utf-8")).get("clips", []))
    prepared = project.prepared_clips()
    if any_finished and len(prepared) == 1:
        names.add(prepared[0].name)
    return names


def prepared_silent(manifest: Path) -> bool:
    """What prepare measured of the sound track (a probe of the file only sees that a track exists)."""
    try:
        voiced = json.loads(manifest.read_text(encoding="utf-8")).get("audio_voiced_fraction")
    except (OSError, json.JSONDecodeError, AttributeError):
        return False
    return is_silent(voiced)


def clip_entries(project: Project, read: bool = True) -> list[ClipEntry]:
    """The project's clips; with `read` False, videos not read yet come back `pending`."""
    trained = trained_clips(project)
    out = []
    for video in media_videos(project):
        name = safe_name(video.stem)
        manifest = project.prepared_dir / name / "manifest.json"
        silent = False
        if manifest.is_file():
            state = ClipState.TRAINED if name in trained else ClipState.PREPARED
            silent = prepared_silent(manifest)
        else:
            state = ClipState.IMPORTED
        failure = read_failure(project.prepared_dir / name)
        if read or is_cached(video):
            info, pending = video_info(video), False
        else:
            info, pending = None, True
        out.append(ClipEntry(name, video, info, state, pending, silent_audio=silent, prepare_failure=failure))
    return out


def unique_media_path(project: Project, source: Path) -> Path:
    stem, suffix = safe_name(source.stem), source.suffix.lower()
    taken = {safe_name(p.stem) for p in media_videos(project)}
    name, k = stem, 2
    while name in taken or (project.prepared_dir / name).exists():
        name, k = f"{stem}_{k}", k + 1
    return project.media_dir / f"{name}{suffix}"


class ImportMediaJob(Job):
    """Copy video files into media/ after checking every one of them; returns the new paths."""

    name = "import media"

    def __init__(self, project: Project, sources: list[Path]) -> None:
        self.project = project
        self.sources = [Path(s) for s in sources]

    def run(self, ctx: JobContext) -> list[Path]:
        if not self.sources:
            raise BadInput(Text("No files to import; drop or choose video files (mp4, mov, mkv...)."))
        videos = [s.name for s in self.sources if s.suffix.lower() in VIDEO_SUFFIXES]
        for i, src in enumerate(self.sources):
            ctx.progress(i, len(self.sources), f"checking {src.name}")
            if src.suffix.lower() not in VIDEO_SUFFIXES:
                what = (
                    Text(
                        "is a sound file: speech is not imported, choose it as the audio file in "
                        "Render & Play or in Live"
                    )
                    if src.suffix.lower() in SOUND_SUFFIXES
                    else Text(
                        "is not a video file this studio imports; give one of {suffixes}",
                        suffixes=", ".join(VIDEO_SUFFIXES),
                    )
                )
                again = (
                    Text(" Nothing was imported; import {videos} without it.", videos=", ".join(videos))
                    if videos
                    else ""
                )
                raise BadInput(Text("{name} {what}.{again}", name=src.name, what=what, again=again))
            decode.probe(src)  # BadInput naming the file and the fix, before anything is copied
            ctx.checkpoint()
        out = []
        for i, src in enumerate(self.sources):
            ctx.progress(i, len(self.sources), f"copying {src.name}")
            dest = unique_media_path(self.project, src)
            with atomic.atomic_open(dest) as fh, open(src, "rb") as source:
                shutil.copyfileobj(source, fh, 1 << 20)
            video_info(dest)  # warm the caches here, so the GUI thread's refresh does not decode
            video_thumbnail(dest, THUMB_HEIGHT)
            ctx.artifact(dest, "video")
            out.append(dest)
        ctx.progress(len(self.sources), len(self.sources), "imported")
        return out


def rename_clip(project: Project, entry: ClipEntry, new_name: str) -> str:
    """Rename the media file and the prepared folder; returns the final (folder-safe) name."""
    name = safe_name(new_name)
    if name == entry.name:
        return name
    project.check_file()  # a damaged project.toml stops the rename before anything moves
    if (
        any(safe_name(p.stem) == name for p in media_videos(project))
        or (project.prepared_dir / name).exists()
    ):
        raise BadInput(Text("A clip named '{name}' exists already; choose another name.", name=name))
    old_prepared = project.prepared_dir / entry.name
    # InUse while a job of another window or process holds the clip (a prepare writing its folder)
    with claimed(old_prepared, "rename", f"rename '{entry.name}'"):
        if old_prepared.exists():
            old_prepared.rename(project.prepared_dir / name)
            manifest = project.prepared_dir / name / "manifest.json"
            if manifest.is_file():
                data = PreparedClip.load(project.prepared_dir / name).manifest
                data["name"] = name
                atomic.write_json(manifest, data)
        entry.video.rename(entry.video.with_name(f"{name}{entry.video.suffix}"))
    project.clips = [name if c == entry.name else c for c in project.clips]
    project.save()
    return name


def remove_clip(project: Project, entry: ClipEntry) -> None:
    """Delete the imported video and its prepared folder (runs stay).

    `core.io.claim.InUse` (bad input naming the jobs and the fix) while a job of another window or
    process holds the clip (prepares it, or reads it: trains on it, renders or evaluates with it,
    exports it, drives it live): nothing is deleted then."""
    project.check_file()  # a damaged project.toml stops the removal before anything is deleted
    prepared = project.prepared_dir / entry.name
    with claimed(prepared, "remove", f"remove '{entry.name}'"):
        if prepared.exists():
            shutil.rmtree(prepared)
        entry.video.unlink(missing_ok=True)
    if entry.name in project.clips:
        project.clips.remove(entry.name)
        project.save()
