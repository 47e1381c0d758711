"""MediaPipe face-mesh topology: triangles, semantic regions and ordered contours.

The tables live in `resources/face_topology.json`, generated once by `core/face/build_topology.py`
from mediapipe's tessellation edges, and are read once per process.

Triangle order (indices used by `region_triangles`): the 852 tessellation triangles over the 468
mesh vertices first, then the fills that close the holes (mouth interior 18, left eye 14, right
eye 14), then the iris fans (left 4, right 4) over vertices 468..477 — 906 in all. Every triangle
is wound so its normal (v1 - v0) x (v2 - v0) points at the camera in MediaPipe's landmark frame
(x right, y down, z away from the camera) on a frontal face, i.e. counter-clockwise on screen.

"left"/"right" are the subject's own sides (mediapipe's naming): the left eye is on the image's
right in an unmirrored frontal video.
"""

from __future__ import annotations

import functools
import json
from importlib import resources

import numpy as np

# Ordered around the contour, starting at the mouth corner on the image left (61 / 78), along the
# lower lip first. Fixed MediaPipe vertex ids; tests check they match the resource file.
LIPS_OUTER: tuple[int, ...] = (
    61,
    146,
    91,
    181,
    84,
    17,
    314,
    405,
    321,
    375,
    291,
    409,
    270,
    269,
    267,
    0,
    37,
    39,
    40,
    185,
)
LIPS_INNER: tuple[int, ...] = (
    78,
    95,
    88,
    178,
    87,
    14,
    317,
    402,
    318,
    324,
    308,
    415,
    310,
    311,
    312,
    13,
    82,
    81,
    80,
    191,
)

REGION_NAMES: tuple[str, ...] = (
    "left_eye",
    "right_eye",
    "left_brow",
    "right_brow",
    "nose",
    "lips",
    "lips_outer",
    "lips_inner",
    "mouth_interior",
    "jaw",
    "face_oval",
    "left_iris",
    "right_iris",
)
NUM_MESH_VERTICES = 468
NUM_VERTICES = 478
NUM_TESSELLATION_TRIANGLES = 852


@functools.cache
def _table() -> dict:
    text = resources.files("resources").joinpath("face_topology.json").read_text(encoding="utf-8")
    return json.loads(text)


@functools.cache
def _triangles_all() -> np.ndarray:
    tris = np.asarray(_table()["triangles"], dtype=np.int32)
    tris.setflags(write=False)
    return tris


def triangles(fill_holes: bool = False, irises: bool = False) -> np.ndarray:
    """Triangles [T, 3] int32 (read-only).

    Default: the 852-triangle tessellation over vertices 0..467 (open at eyes and mouth).
    `fill_holes` appends the mouth-interior and eye fills; `irises` appends the iris fans
    (which need the 478-point refined landmarks). With both, indices match `region_triangles`.
    """
    groups = _table()["groups"]
    parts = [(0, NUM_TESSELLATION_TRIANGLES)]
    if fill_holes:
        parts += [tuple(groups[k]) for k in ("mouth_interior", "left_eye", "right_eye")]
    if irises:
        parts += [tuple(groups[k]) for k in ("left_iris", "right_iris")]
    all_tris = _triangles_all()
    if len(parts) == 1 or (fill_holes and irises):
        return all_tris[: parts[-1][1]]
    return np.concatenate([all_tris[a:b] for a, b in parts])


def _region(name: str) -> dict:
    regions = _table()["regions"]
    if name not in regions:
        raise KeyError(f"unknown face region '{name}'; known regions: {', '.join(REGION_NAMES)}")
    return regions[name]


@functools.cache
def region_vertices(name: str) -> np.ndarray:
    """Sorted vertex ids [K] int32 of a semantic region (see REGION_NAMES)."""
    out = np.asarray(_region(name)["vertices"], dtype=np.int32)
    out.setflags(write=False)
    return out


@functools.cache
def region_triangles(name: str) -> np.ndarray:
    """Sorted triangle ids [K] int32 into `triangles(fill_holes=True, irises=True)`.

    Ids below 852 index the plain tessellation too; the mouth interior, eyes and irises are
    made of fill triangles (ids >= 852).
    """
    out = np.asarray(_region(name)["triangles"], dtype=np.int32)
    out.setflags(write=False)
    return out


def contour(name: str) -> tuple[int, ...]:
    """An ordered closed contour: 'lips_outer', 'lips_inner', 'left_eye', 'right_eye', 'face_oval'."""
    contours = _table()["contours"]
    if name not in contours:
        raise KeyError(f"unknown contour '{name}'; known: {', '.join(contours)}")
    return tuple(contours[name])


@functools.cache
def frontal_layout() -> np.ndarray:
    """A frontal face's landmarks [478, 3], scaled so the face is 1 wide (for drawing and tests)."""
    out = np.asarray(_table()["frontal_layout"], dtype=np.float32)
    out.setflags(write=False)
    return out
