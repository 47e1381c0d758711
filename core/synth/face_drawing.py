"""Draw a stylised but photo-like frontal face that MediaPipe's face mesh tracks.

Geometry is given in face units (u right, v down, the face oval spans [-1, 1]) and mapped
to pixels through a similarity transform, so head motion is a change of `FacePose`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np

SKIN = np.array([150, 175, 215], np.float32)  # BGR
HAIR = (35, 45, 60)
LIP = (95, 95, 185)
MOUTH_DARK = (30, 25, 55)
TEETH = (225, 230, 235)
BROW = (40, 50, 70)
IRIS = (60, 80, 110)


@dataclass(frozen=True)
class FacePose:
    cx: float  # face centre, pixels
    cy: float
    half_width: float  # pixels
    angle: float = 0.0  # in-plane roll, radians


@dataclass(frozen=True)
class Expression:
    mouth_open: float = 0.0  # 0..1
    blink: float = 0.0  # 0 open .. 1 closed
    smile: float = 0.0


class _Mapper:
    def __init__(self, pose: FacePose) -> None:
        self.pose = pose
        self.half_height = pose.half_width * 1.32
        self.c, self.s = np.cos(pose.angle), np.sin(pose.angle)

    def __call__(self, uv: np.ndarray) -> np.ndarray:
        uv = np.asarray(uv, np.float64).reshape(-1, 2)
        x = uv[:, 0] * self.pose.half_width
        y = uv[:, 1] * self.half_height
        px = self.pose.cx + self.c * x - self.s * y
        py = self.pose.cy + self.s * x + self.c * y
        return np.stack([px, py], axis=1)

    def poly(self, uv: np.ndarray) -> np.ndarray:
        return np.round(self(uv) * 16).astype(np.int32)  # 4 fractional bits for cv2


def _ellipse(cu: float, cv: float, ru: float, rv: float, n: int = 64, a0=0.0, a1=2 * np.pi):
    a = np.linspace(a0, a1, n)
    return np.stack([cu + ru * np.cos(a), cv + rv * np.sin(a)], axis=1)


def _fill(img, m: _Mapper, uv, color) -> None:
    cv2.fillPoly(img, [m.poly(uv)], color, lineType=cv2.LINE_AA, shift=4)


def _line(img, m: _Mapper, uv, color, thickness: int, closed: bool = False) -> None:
    cv2.polylines(img, [m.poly(uv)], closed, color, thickness, lineType=cv2.LINE_AA, shift=4)


def face_oval(jaw_drop: float) -> np.ndarray:
    a = np.linspace(0, 2 * np.pi, 120, endpoint=False)
    u = np.cos(a)
    v = np.sin(a)
    lower = v > 0
    v = np.where(lower, v * (1.0 + jaw_drop) - 0.06 * np.abs(u) ** 3 * v, v)
    u = np.where(lower, u * (1 - 0.12 * v**2), u)  # tapered chin
    return np.stack([u, v], axis=1)


def mouth_shapes(open_: float, smile: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Outer lip contour, inner opening contour and the teeth band, in face units."""
    cy = 0.50 + 0.10 * open_
    w = 0.36 + 0.04 * smile - 0.05 * open_
    gap = 0.20 * open_
    u = np.linspace(-1, 1, 33)
    corner_lift = 0.03 * smile
    # upper lip: top edge with a cupid's bow, bottom edge = top of the opening
    bow = 0.025 * np.exp(-((np.abs(u) - 0.25) ** 2) / 0.02) - 0.02 * np.exp(-(u**2) / 0.01)
    upper_top = cy - gap / 2 - 0.07 * (1 - u**2) ** 0.6 - bow - corner_lift * u**2
    inner_top = cy - gap / 2 * (1 - u**2) ** 0.8 - corner_lift * u**2
    inner_bot = cy + gap / 2 * (1 - u**2) ** 0.8 - corner_lift * u**2
    lower_bot = cy + gap / 2 + 0.085 * (1 - u**2) ** 0.7 - corner_lift * u**2
    x = u * w
    outer = np.concatenate([np.stack([x, upper_top], 1), np.stack([x[::-1], lower_bot[::-1]], 1)])
    inner = np.concatenate([np.stack([x, inner_top], 1), np.stack([x[::-1], inner_bot[::-1]], 1)])
    teeth = np.concatenate(
        [
            np.stack([x * 0.8, inner_top * 0 + (cy - gap / 2 + 0.004)], 1),
            np.stack([x[::-1] * 0.8, (inner_top[::-1] + inner_bot[::-1]) / 2 - gap * 0.15], 1),
        ]
    )
    return outer, inner, teeth


@cache
def _pixel_grid(h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    return yy, xx


def draw_face(size: tuple[int, int], pose: FacePose, expr: Expression, background: np.ndarray) -> np.ndarray:
    """Return a BGR uint8 frame of `size` (height, width)."""
    h, w = size
    img = background.copy()
    m = _Mapper(pose)
    jaw = 0.10 * expr.mouth_open

    # neck and shoulders
    _fill(img, m, np.array([[-0.55, 0.6], [0.55, 0.6], [0.6, 1.6], [-0.6, 1.6]]), (120, 145, 185))
    _fill(img, m, np.array([[-2.2, 1.75], [2.2, 1.75], [2.4, 3.5], [-2.4, 3.5]]), (90, 70, 60))
    _fill(img, m, _ellipse(0, 1.6, 0.75, 0.25), (110, 135, 175))
    # hair behind the head
    _fill(img, m, _ellipse(0, -0.15, 1.18, 1.12), HAIR)
    # ears
    for side in (-1, 1):
        _fill(img, m, _ellipse(side * 1.0, 0.05, 0.13, 0.24), (135, 160, 200))

    # face with radial shading
    mask = np.zeros((h, w), np.uint8)
    cv2.fillPoly(mask, [m.poly(face_oval(jaw))], 255, lineType=cv2.LINE_AA, shift=4)
    yy, xx = _pixel_grid(h, w)
    d = np.sqrt(
        ((xx - pose.cx) / (pose.half_width * 1.1)) ** 2 + ((yy - pose.cy) / (m.half_height * 1.2)) ** 2
    )
    shade = (1.08 - 0.35 * np.clip(d, 0, 1.2) ** 2)[..., None]
    skin = np.clip(SKIN[None, None, :] * shade, 0, 255)
    alpha = (mask.astype(np.float32) / 255)[..., None]
    img = (img * (1 - alpha) + skin * alpha).astype(np.uint8)  # full-frame blend keeps AA edges

    # fringe of hair over the forehead
    fringe = np.concatenate(
        [
            _ellipse(0, -0.12, 1.06, 1.0, 40, np.pi * 1.05, np.pi * 1.95),
            np.array([[0.75, -0.68], [0.3, -0.78], [-0.3, -0.78], [-0.75, -0.68]]),
        ]
    )
    _fill(img, m, fringe, HAIR)

    # brows
    for side in (-1, 1):
        brow = np.array(
            [[side * 0.15, -0.37], [side * 0.32, -0.43], [side * 0.52, -0.42], [side * 0.66, -0.35]]
        )
        _line(img, m, brow, BROW, max(2, int(pose.half_width * 0.06)))

    # eyes
    for side in (-1, 1):
        ecx, ecy, rw, rh = side * 0.40, -0.22, 0.19, 0.085 * (1 - 0.9 * expr.blink)
        _fill(img, m, _ellipse(ecx, ecy, rw + 0.03, 0.12), (120, 140, 180))  # socket shadow
        if rh > 0.01:
            eye = _ellipse(ecx, ecy, rw, rh, 48)
            _fill(img, m, eye, (235, 240, 245))
            r_iris = min(0.085, rh * 1.05)
            _fill(img, m, _ellipse(ecx, ecy, r_iris * 0.75, r_iris), IRIS)
            _fill(img, m, _ellipse(ecx, ecy, r_iris * 0.35, r_iris * 0.45), (15, 15, 20))
            _fill(img, m, _ellipse(ecx + 0.02, ecy - 0.02, 0.015, 0.02), (250, 250, 250))
        lid = _ellipse(ecx, ecy, rw, max(rh, 0.004), 24, np.pi, 2 * np.pi)
        _line(img, m, lid, (45, 50, 70), max(2, int(pose.half_width * 0.03)))

    # nose: bridge shading, tip and nostrils
    _line(img, m, np.array([[-0.08, -0.2], [-0.10, 0.05], [-0.14, 0.2]]), (120, 140, 180), 2)
    _line(img, m, np.array([[0.08, -0.2], [0.10, 0.05], [0.14, 0.2]]), (125, 148, 190), 2)
    _fill(img, m, _ellipse(0, 0.23, 0.17, 0.08), (125, 150, 195))
    for side in (-1, 1):
        _fill(img, m, _ellipse(side * 0.085, 0.27, 0.05, 0.025), (60, 70, 110))
    _line(img, m, np.array([[-0.02, 0.31], [-0.03, 0.38]]), (120, 140, 180), 1)

    # mouth
    outer, inner, teeth = mouth_shapes(expr.mouth_open, expr.smile)
    _fill(img, m, outer, LIP)
    if expr.mouth_open > 0.02:
        _fill(img, m, inner, MOUTH_DARK)
        _fill(img, m, teeth, TEETH)
    else:
        _line(img, m, inner[:33], (50, 50, 110), 1)
    # chin crease
    cy_chin = 0.78 + 0.12 * expr.mouth_open
    _line(img, m, _ellipse(0, cy_chin, 0.15, 0.04, 16, 0.2, np.pi - 0.2), (125, 148, 188), 1)
    return img
