"""Read a prepared clip folder (written by `core.face.prepare_job.PrepareJob`): the only reader of one.

Frames go through the one frame reader (`core.media.decode`), audio through the one audio reader
(`core.media.audio`); nothing else opens a clip's files.

clip = PreparedClip.load(project.clip_dir("talk"))
frames = clip.read_frames(clip.reference_candidates)   # [n, H, W, 3] BGR uint8
audio = clip.audio()                                   # float32 [S] at 16 kHz, re-timed
audio = clip.audio("file")                             # the file's own timing

`audio()` is the one reader of a clip's sound, so the sound-vs-picture offset prepare measured
(`av_offset`, `core.mouth.av_sync`) is removed in this one place: training pairs, lip-sync evaluation
and export calibration all hear the sound re-timed; the prepared audio.wav itself is never changed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from core.audio.silence import is_silent
from core.io.manifest import read_manifest
from core.jobs.errors import BadInput
from core.jobs.message import Text
from core.mouth.av_sync import AvOffset, retime

SUPPORTED_SCHEMA = 1
AUDIO_RATE = 16000
Timing = Literal["retimed", "file"]  # the sound moved by the measured offset, or as the file has it
TIMINGS: tuple[Timing, ...] = ("retimed", "file")


@dataclass
class PreparedClip:
    path: Path
    manifest: dict
    fps: float
    frame_count: int
    width: int
    height: int
    has_audio: bool
    landmarks: np.ndarray  # [N, 478, 3] float32, full-frame pixels
    valid: np.ndarray  # [N] bool: a face was found (frames without one must be excluded)
    face_boxes: np.ndarray  # [N, 4] x0, y0, x1, y1
    mouth_boxes: np.ndarray  # [N, 4]
    reference_candidates: list[int]
    # the sound-vs-picture offset prepare measured (older manifests: not measured, 0)
    av_offset: AvOffset = field(default_factory=AvOffset)

    @property
    def name(self) -> str:
        return str(self.manifest.get("name", self.path.name))

    @property
    def silent_audio(self) -> bool:
        """A sound track of (near) digital silence: nothing the audio-to-mouth model can learn from."""
        voiced = self.manifest.get("audio_voiced_fraction")
        return self.has_audio and is_silent(voiced)

    @property
    def mouth_size(self) -> int:
        return int(self.manifest["mouth_size"])

    @classmethod
    def load(cls, path: Path | str) -> PreparedClip:
        path = Path(path)
        missing = Text("is not a prepared clip (no manifest.json). Run `dhstudio prepare` first.")
        manifest_path, manifest = read_manifest(path, missing, Text("prepare the clip again."))
        schema = manifest.get("schema")
        if schema != SUPPORTED_SCHEMA:
            raise BadInput(
                Text(
                    "{manifest_path}: prepared-clip schema {schema!r} is not supported (this version "
                    "reads schema {supported_schema}); prepare the clip again.",
                    manifest_path=manifest_path,
                    schema=schema,
                    supported_schema=SUPPORTED_SCHEMA,
                )
            )
        try:
            landmarks = np.load(path / "landmarks.npy", allow_pickle=False)
            with np.load(path / "crops.npz", allow_pickle=False) as crops:
                face_boxes, mouth_boxes = crops["face_boxes"], crops["mouth_boxes"]
        except (OSError, KeyError, ValueError) as exc:
            raise BadInput(
                Text(
                    "{path}: prepared clip files are missing or damaged ({exc}); prepare it again.",
                    path=path,
                    exc=exc,
                )
            ) from None
        n = int(manifest["frame_count"])
        if landmarks.shape[0] != n or face_boxes.shape != (n, 4):
            raise BadInput(
                Text(
                    "{path}: landmarks/crops do not match frame_count {n}; prepare the clip again.",
                    path=path,
                    n=n,
                )
            )
        return cls(
            path=path,
            manifest=manifest,
            fps=float(manifest["fps"]),
            frame_count=n,
            width=int(manifest["width"]),
            height=int(manifest["height"]),
            has_audio=bool(manifest["has_audio"]),
            landmarks=landmarks,
            valid=np.asarray(manifest["quality"]["face_found"], dtype=bool),
            face_boxes=face_boxes,
            mouth_boxes=mouth_boxes,
            reference_candidates=[int(i) for i in manifest.get("reference_candidates", [])],
            av_offset=AvOffset.from_manifest(manifest.get("av_sync")),
        )

    def poses(self) -> dict[str, np.ndarray]:
        """poses.npz: similarity, scale, rotation, translation, mean_shape, camera, residual."""
        with np.load(self.path / "poses.npz", allow_pickle=False) as data:
            return {k: data[k] for k in data.files}

    def camera(self) -> np.ndarray:
        """K [3, 3] float64: the pinhole camera prepare solved the head poses with (poses.npz)."""
        try:
            with np.load(self.path / "poses.npz", allow_pickle=False) as data:
                k = np.asarray(data["camera"], np.float64)
        except (OSError, KeyError, ValueError) as exc:
            raise BadInput(
                Text(
                    "{path}: poses.npz is missing or damaged ({exc}); prepare the clip again.",
                    path=self.path,
                    exc=exc,
                )
            ) from None
        if k.shape != (3, 3):
            raise BadInput(
                Text(
                    "{path}: poses.npz camera is {shape}, not 3x3; prepare the clip again.",
                    path=self.path,
                    shape=k.shape,
                )
            )
        return k

    def read_frames(self, indices: Sequence[int] | None = None) -> np.ndarray:
        """Frames [n, H, W, 3] BGR uint8 (all frames when `indices` is None)."""
        if indices is not None:
            bad = [i for i in indices if not 0 <= int(i) < self.frame_count]
            if bad:
                raise IndexError(
                    f"frame indices {bad[:5]} outside 0..{self.frame_count - 1} of clip '{self.name}'"
                )
        from core.media.decode import read_frames

        return read_frames(self.video_path, indices)

    @property
    def video_path(self) -> Path:
        return self.path / "video.mp4"

    def iter_frames(self) -> Iterator[np.ndarray]:
        """Every frame in order, BGR uint8 [H, W, 3], one at a time (low memory)."""
        from core.media.decode import decoded_frames

        return decoded_frames(self.video_path)

    def audio(self, timing: Timing = "retimed") -> np.ndarray:
        """float32 [S] mono samples at 16 kHz, S = frame_count / fps * 16000.

        "retimed": moved by the applied sound-vs-picture offset (`av_offset`; silence padded, length
        kept), so sample s belongs with the picture at s / 16000 s; "file": as the file has it.
        """
        from core.media.audio import read_audio

        wav = self.path / "audio.wav"
        if not self.has_audio or not wav.is_file():
            raise BadInput(
                Text(
                    "Prepared clip '{name}' has no audio (its source video had no audio track). "
                    "Lip-sync training needs the speech: prepare a video with sound.",
                    name=self.name,
                )
            )
        if timing not in TIMINGS:
            raise ValueError(f"timing {timing!r}: use one of {', '.join(TIMINGS)}")
        audio = read_audio(wav, AUDIO_RATE)
        if timing == "file" or not self.av_offset.applied:
            return audio
        return retime(audio, self.av_offset.offset_ms, AUDIO_RATE)
