"""Read a prepared clip folder (written by `core.face.prepare_job.PrepareJob`).

clip = PreparedClip.load(project.clip_dir("talk"))
frames = clip.read_frames(clip.reference_candidates)   # [n, H, W, 3] BGR uint8
audio = clip.audio()                                   # float32 [S] at 16 kHz
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.jobs.errors import BadInput

SUPPORTED_SCHEMA = 1
AUDIO_RATE = 16000


def read_video_frames(path: Path | str, indices: Sequence[int] | None = None) -> np.ndarray:
    """Frames [n, H, W, 3] BGR uint8 of an mp4 by decode order; `indices` in any order, repeats allowed."""
    import av

    from core.media.decode import frame_to_bgr

    wanted = None if indices is None else sorted(set(int(i) for i in indices))
    got: dict[int, np.ndarray] = {}
    frames: list[np.ndarray] = []
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        last = wanted[-1] if wanted else -1
        want = set(wanted or ())
        for i, frame in enumerate(container.decode(stream)):
            if wanted is None:
                frames.append(frame_to_bgr(frame))
                continue
            if i in want:
                got[i] = frame_to_bgr(frame)
            if i >= last:
                break
    if indices is None:
        return np.stack(frames) if frames else np.zeros((0, 0, 0, 3), np.uint8)
    missing = [i for i in wanted if i not in got]
    if missing:
        raise BadInput(
            f"{path} has no frame(s) {missing[:5]}; the prepared clip is damaged - prepare it again."
        )
    if len(indices) == 0:
        return np.zeros((0, 0, 0, 3), np.uint8)
    return np.stack([got[int(i)] for i in indices])


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

    @property
    def name(self) -> str:
        return str(self.manifest.get("name", self.path.name))

    @property
    def mouth_size(self) -> int:
        return int(self.manifest["mouth_size"])

    @classmethod
    def load(cls, path: Path | str) -> PreparedClip:
        path = Path(path)
        manifest_path = path / "manifest.json"
        if not manifest_path.is_file():
            raise BadInput(f"{path} is not a prepared clip (no manifest.json). Run `dhstudio prepare` first.")
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise BadInput(f"{manifest_path} is corrupt ({exc}); prepare the clip again.") from None
        schema = manifest.get("schema")
        if schema != SUPPORTED_SCHEMA:
            raise BadInput(
                f"{manifest_path}: prepared-clip schema {schema!r} is not supported "
                f"(this version reads schema {SUPPORTED_SCHEMA}); prepare the clip again."
            )
        try:
            landmarks = np.load(path / "landmarks.npy", allow_pickle=False)
            with np.load(path / "crops.npz", allow_pickle=False) as crops:
                face_boxes, mouth_boxes = crops["face_boxes"], crops["mouth_boxes"]
        except (OSError, KeyError, ValueError) as exc:
            raise BadInput(
                f"{path}: prepared clip files are missing or damaged ({exc}); prepare it again."
            ) from None
        n = int(manifest["frame_count"])
        if landmarks.shape[0] != n or face_boxes.shape != (n, 4):
            raise BadInput(f"{path}: landmarks/crops do not match frame_count {n}; prepare the clip again.")
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
        )

    def poses(self) -> dict[str, np.ndarray]:
        """poses.npz: similarity, scale, rotation, translation, mean_shape, camera, residual."""
        with np.load(self.path / "poses.npz", allow_pickle=False) as data:
            return {k: data[k] for k in data.files}

    def read_frames(self, indices: Sequence[int] | None = None) -> np.ndarray:
        """Frames [n, H, W, 3] BGR uint8 (all frames when `indices` is None)."""
        if indices is not None:
            bad = [i for i in indices if not 0 <= int(i) < self.frame_count]
            if bad:
                raise IndexError(
                    f"frame indices {bad[:5]} outside 0..{self.frame_count - 1} of clip '{self.name}'"
                )
        return read_video_frames(self.path / "video.mp4", indices)

    def audio(self) -> np.ndarray:
        """float32 [S] mono samples at 16 kHz, S = frame_count / fps * 16000."""
        from core.media.wav import read_wav

        wav = self.path / "audio.wav"
        if not self.has_audio or not wav.is_file():
            raise BadInput(
                f"Prepared clip '{self.name}' has no audio (its source video had no audio track). Lip-sync "
                "training needs the speech: prepare a video with sound."
            )
        samples, rate = read_wav(wav)
        if rate != AUDIO_RATE:
            raise BadInput(f"{wav} is {rate} Hz, expected {AUDIO_RATE} Hz; prepare the clip again.")
        return samples
