"""The avatar data of a web export: what the page needs per loop frame, gathered from a bundle.

The page runs the desktop engine's per-frame path (`core.lipsync.inference.LipSyncFrames`) in
JavaScript. The only geometry it needs is where the lip contours land in each loop frame's face
crop for given mouth coefficients c, and that is affine in c: decode (linear) -> the loop
frame's fixed head pose (affine) -> crop pixels (affine). So per loop frame k the export stores

    points_k(c) = base[k] + c @ jac[k]        base [P, 2], jac [K, P, 2], crop pixels

for the outer lip contour, the inner one and the inner-lip pairs of the mouth-opening readout
(`core.face.mouth_metrics`), computed by the engine's own `predicted_landmarks` at c = 0 and at
the unit vectors (exact up to float rounding), and the page needs no pose fitting.

`avatar.bin` is these arrays and the others (face boxes, audio normalisation, the renderer's
cached reference features) as little-endian float32, back to back; `avatar.json` names each
with its offset and shape, beside the sizes and settings the page's engine reads.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from core.face.mouth_metrics import EYE_OUTER_CORNERS, INNER_LIP_PAIRS
from core.face.topology import LIPS_INNER, LIPS_OUTER
from core.lipsync import mouth_shape_map as shape_map_module
from core.lipsync.face_crops import landmarks_to_crop
from core.lipsync.geometry import crop_geometry
from core.lipsync.mouth_shape_map import ShapeMapStyle
from core.lipsync.paste_back import PasteSettings
from core.mouth.metrics import predicted_landmarks
from core.mouth.streaming import SILENCE_RMS

AVATAR_JSON = "avatar.json"
AVATAR_BIN = "avatar.bin"
FRAMES_DIR = "frames"
IDLE_AFTER_FRAMES = 6  # core.realtime.engine.EngineConfig.idle_after_frames


def _no_cancel() -> None:
    """The default `checkpoint` of the per-frame loops: nothing can cancel them."""


def gauge_vertices() -> tuple[list[int], dict[str, tuple[int, int]]]:
    """The landmark ids the page follows and the (start, count) of each group in that list."""
    pairs = [v for pair in INNER_LIP_PAIRS for v in pair]
    groups = {"outer": list(LIPS_OUTER), "inner": list(LIPS_INNER), "pairs": pairs}
    ids: list[int] = []
    spans: dict[str, tuple[int, int]] = {}
    for name, vs in groups.items():
        spans[name] = (len(ids), len(vs))
        ids.extend(vs)
    return ids, spans


def lip_points(bundle, checkpoint: Callable[[], None] = _no_cancel) -> tuple[np.ndarray, np.ndarray]:
    """(base [N, P, 2], jac [N, K, P, 2]) float32 in crop pixels for every loop frame.

    ``checkpoint`` is called before each frame (a job's cancel token: it raises to stop)."""
    loop, space = bundle.loop, bundle.space
    geometry = crop_geometry(int(bundle.manifest.meta["renderer"]["mouth_size"]))
    ids, _ = gauge_vertices()
    k = space.k
    probes = np.concatenate([np.zeros((1, k)), np.eye(k)]).astype(np.float32)  # [K + 1, K]
    n = len(loop)
    base = np.empty((n, len(ids), 2), np.float64)
    jac = np.empty((n, k, len(ids), 2), np.float64)
    for i in range(n):
        checkpoint()
        tracked = np.repeat(loop.landmarks[i : i + 1], k + 1, axis=0)
        lms = predicted_landmarks(space, probes, tracked)  # [K + 1, 478, 3]
        pts = np.stack([landmarks_to_crop(lm[ids], loop.boxes[i], geometry) for lm in lms])
        base[i] = pts[0]
        jac[i] = pts[1:] - pts[0]
    return base.astype(np.float32), jac.astype(np.float32)


def face_sizes(bundle) -> np.ndarray:
    """Outer-eye-corner distance per loop frame [N] in crop pixels (the opening readout's scale)."""
    geometry = crop_geometry(int(bundle.manifest.meta["renderer"]["mouth_size"]))
    a, b = EYE_OUTER_CORNERS
    out = []
    for lm, box in zip(bundle.loop.landmarks, bundle.loop.boxes, strict=True):
        pts = landmarks_to_crop(lm[[a, b]], box, geometry)
        out.append(np.linalg.norm(pts[0] - pts[1]))
    return np.asarray(out, np.float32)


def pack_arrays(arrays: dict[str, np.ndarray]) -> tuple[bytes, dict[str, dict[str, Any]]]:
    """Named arrays -> (little-endian float32 bytes, {name: {offset, shape}}), 4-byte aligned."""
    chunks, index, offset = [], {}, 0
    for name, arr in arrays.items():
        data = np.ascontiguousarray(arr, dtype="<f4")
        index[name] = {"offset": offset, "shape": list(data.shape)}
        chunks.append(data.tobytes())
        offset += data.nbytes
    return b"".join(chunks), index


def write_frames(
    folder: Path, frames: np.ndarray, quality: int, checkpoint: Callable[[], None] = _no_cancel
) -> list[str]:
    """Loop frames (BGR uint8) as frames/NNNN.jpg; the page draws and crops them.

    ``checkpoint`` is called before each frame (a job's cancel token: it raises to stop)."""
    import cv2

    (folder / FRAMES_DIR).mkdir()
    names = []
    for i, frame in enumerate(frames):
        checkpoint()
        name = f"{FRAMES_DIR}/{i:04d}.jpg"
        ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
        if not ok:
            raise RuntimeError(f"could not encode loop frame {i} as JPEG")
        (folder / name).write_bytes(buf.tobytes())
        names.append(name)
    return names


def write_avatar(
    folder: Path,
    bundle,
    models: dict[str, str],
    quality: int,
    checkpoint: Callable[[], None] = _no_cancel,
) -> dict[str, Any]:
    """avatar.bin, avatar.json and the loop frames for an opened bundle; returns avatar.json's dict.

    ``checkpoint`` (the job's cancel token) is checked per loop frame, so a cancel stops it at once."""
    meta = bundle.manifest.meta
    base, jac = lip_points(bundle, checkpoint)
    binary, index = pack_arrays(
        {
            "boxes": bundle.loop.boxes,
            "lip_base": base,
            "lip_jac": jac,
            "face_size": face_sizes(bundle),
            "norm_mean": bundle.norm.mean,
            "norm_std": bundle.norm.std,
            "ref_features": bundle.ref_features,
        }
    )
    (folder / AVATAR_BIN).write_bytes(binary)
    frames = write_frames(folder, bundle.loop.frames, quality, checkpoint)
    geometry = crop_geometry(int(meta["renderer"]["mouth_size"]))
    paste, style = PasteSettings(), ShapeMapStyle()
    _, spans = gauge_vertices()
    audio = meta["audio_model"]
    h, w = bundle.loop.frames.shape[1:3]
    avatar = {
        "schema": "dhstudio.web-avatar",
        "schema_version": 1,
        "precision": bundle.manifest.precision,
        "fps": bundle.fps,
        "lookahead": int(meta["lookahead"]),
        "frame": {"width": int(w), "height": int(h), "count": len(frames), "files": frames},
        "geometry": {
            "mouth_size": geometry.mouth_size,
            "crop_height": geometry.crop_height,
            "crop_width": geometry.crop_width,
            "mouth_top": geometry.mouth_top,
            "mouth_left": geometry.mouth_left,
        },
        "paste": {"feather": paste.feather, "color_match": paste.color_match, "max_gain": paste.max_gain},
        "shape_map": {
            "lip": style.lip,
            "interior": style.interior,
            "teeth": style.teeth,
            "teeth_fraction": style.teeth_fraction,
            "supersample": shape_map_module._SUPERSAMPLE,
            "subpixel_bits": shape_map_module._SHIFT,
        },
        "points": {name: {"start": s, "count": c} for name, (s, c) in spans.items()},
        "audio_model": {
            "file": models["audio_step"],
            "k": int(audio["k"]),
            "num_bins": int(audio["num_bins"]),
            "lstm_layers": int(audio["lstm_layers"]),
            "lstm_hidden": int(audio["lstm_hidden"]),
            "fbank": audio["fbank"],
            "norm_level": audio.get("norm_level"),
        },
        "renderer": {
            "file": models["renderer"],
            "inputs": meta["renderer"]["inputs"],
            "outputs": meta["renderer"]["outputs"],
        },
        "live": {"silence_rms": SILENCE_RMS, "idle_after_frames": IDLE_AFTER_FRAMES},
        "arrays": index,
    }
    return avatar
