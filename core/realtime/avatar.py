"""The lip-sync avatar as the live engine sees it: the source loop plus the one frame path.

`Avatar` is the small interface every live renderer implements (a Gaussian avatar can plug
in later): `idle_frame(j)` returns the source loop's frame for output frame j (silence keeps
the person breathing and blinking), `render(j, coeffs)` draws the mouth that the audio model
asked for into that frame.

`LipSyncAvatar` is `core.lipsync.inference.LipSyncFrames` (the path `dhstudio render` and
`dhstudio eval` use: crops cut once per loop frame, reference features cached, shape map,
renderer, paste-back) over the live engine's renderer backend, one frame at a time.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol

import numpy as np

from core.lipsync.inference import LipSyncFrames


class Avatar(Protocol):
    fps: float
    frame_size: tuple[int, int]  # (width, height) of output frames
    feather: float  # paste-back softness in the avatar's units (the live `feather` control)

    def idle_frame(self, j: int) -> np.ndarray: ...

    def render(self, j: int, coeffs: np.ndarray) -> tuple[np.ndarray, dict[str, float]]: ...

    def set_feather(self, feather: float) -> float:
        """Use this feather from the next frame (render thread only); returns the value in force."""
        ...


class LipSyncAvatar:
    """Output frame j = loop frame `loop.index(j)` with the mouth of `coeffs` [K]."""

    def __init__(self, frames: LipSyncFrames) -> None:
        self.frames = frames
        self.loop = frames.loop
        self.fps = frames.loop.fps
        h, w = frames.loop.frames.shape[1:3]
        self.frame_size = (int(w), int(h))

    @property
    def backend(self):
        return self.frames.backend

    @property
    def backend_reason(self) -> str:
        return self.frames.backend_reason

    @property
    def feather(self) -> float:
        return self.frames.paste.feather

    def set_feather(self, feather: float) -> float:
        """Feather as a fraction of the mouth size, 0.02 .. 0.5 (0 would cut a hard rectangle)."""
        paste = replace(self.frames.paste, feather=float(np.clip(feather, 0.02, 0.5)))
        self.frames.set_paste(paste)
        return paste.feather

    def idle_frame(self, j: int) -> np.ndarray:
        return self.loop.frames[self.loop.index(j)]

    def render(self, j: int, coeffs: np.ndarray) -> tuple[np.ndarray, dict[str, float]]:
        out, timings = self.frames.render_coeffs([self.loop.index(j)], np.asarray(coeffs)[None])
        return out[0], timings
