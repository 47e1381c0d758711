"""Drawing a prepared clip's frame for the clip viewer: landmarks, crop boxes, semantic region masks.

The regions are the groups the Gaussian region weights use (eyes, mouth, nose), filled from the
face mesh's triangles (`core.face.topology`) so the viewer shows exactly what training weights.
"""

from __future__ import annotations

import functools

import cv2
import numpy as np

from core.face.preview import draw_overlay
from core.face.topology import region_triangles, triangles

REGION_COLOURS = {"eyes": (255, 140, 0), "mouth": (220, 20, 160), "nose": (40, 200, 255)}  # BGR


def overlay_colours() -> dict[str, str]:
    """Overlay name -> '#rrggbb', for the viewer's legend."""
    out = {"landmarks": "#00b8d4", "crop boxes": "#2e7d32"}
    out.update({g: "#{2:02x}{1:02x}{0:02x}".format(*bgr) for g, bgr in REGION_COLOURS.items()})
    return out


@functools.cache
def region_groups() -> dict[str, tuple[str, ...]]:
    """The region weights' groups (imported on first use: that module loads torch)."""
    from core.gaussians.train.innovations.region_weights import REGION_GROUPS

    return dict(REGION_GROUPS)


@functools.cache
def _group_triangles(group: str) -> np.ndarray:
    tris = triangles(fill_holes=True, irises=True)
    ids = np.concatenate([region_triangles(name) for name in region_groups()[group]])
    return tris[np.unique(ids)]


def draw_frame(
    frame_bgr: np.ndarray,
    landmarks: np.ndarray,
    face_box: np.ndarray,
    mouth_box: np.ndarray,
    show: set[str],
    alpha: float = 0.45,
) -> np.ndarray:
    """RGB uint8 copy of `frame_bgr` with the chosen overlays ('landmarks', 'crop boxes', 'eyes', 'mouth',
    'nose'); landmarks [478, 3] and boxes in the frame's own pixels."""
    img = frame_bgr.copy()
    groups = [g for g in REGION_COLOURS if g in show]
    if groups:
        layer = img.copy()
        pts = landmarks[:, :2]
        for group in groups:
            polys = np.round(pts[_group_triangles(group)]).astype(np.int32)
            cv2.fillPoly(layer, list(polys), REGION_COLOURS[group], cv2.LINE_AA)
        img = cv2.addWeighted(layer, alpha, img, 1 - alpha, 0)
    if "landmarks" in show or "crop boxes" in show:
        lm = landmarks if "landmarks" in show else landmarks[:0]
        if "crop boxes" in show:
            img = draw_overlay(img, lm, face_box, mouth_box)
        else:
            img = draw_overlay(img, lm, np.full(4, -1e4), np.full(4, -1e4))
    return np.ascontiguousarray(img[..., ::-1])
