"""DINet face-crop geometry: where the mouth region sits inside the face crop for a mouth size M.

The face crop is (13M/8) high and (5M/4) wide (DINet's 104 x 80 crop for M = 64). The mouth box
is M x M, starting M/2 from the top and M/8 from the left, so the crop keeps M/2 of cheeks and
nose above the mouth and M/8 of chin below it. Every size is an integer because M is a
multiple of 8.

The layout itself is plain integers, so `prepare` and the CLI use this module without torch; only
the two methods that build mask tensors import it, when they are called.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.jobs.errors import BadInput
from core.jobs.message import Text

if TYPE_CHECKING:
    import torch

ALLOWED_MOUTH_SIZES: tuple[int, ...] = (64, 96, 128, 160, 256)


@dataclass(frozen=True)
class CropGeometry:
    """Face-crop layout for one mouth size; all values in crop pixels."""

    mouth_size: int

    @property
    def crop_height(self) -> int:
        return 13 * self.mouth_size // 8

    @property
    def crop_width(self) -> int:
        return 5 * self.mouth_size // 4

    @property
    def crop_size(self) -> tuple[int, int]:
        """(height, width) of the face crop."""
        return self.crop_height, self.crop_width

    @property
    def mouth_top(self) -> int:
        return self.mouth_size // 2

    @property
    def mouth_left(self) -> int:
        return self.mouth_size // 8

    @property
    def mouth_box(self) -> tuple[int, int, int, int]:
        """(top, left, height, width) of the mouth region inside the crop."""
        return self.mouth_top, self.mouth_left, self.mouth_size, self.mouth_size

    def mouth_slices(self) -> tuple[slice, slice]:
        top, left, h, w = self.mouth_box
        return slice(top, top + h), slice(left, left + w)

    def mask_mouth(self, crops: torch.Tensor) -> torch.Tensor:
        """Copy of `crops` [..., H, W] with the mouth box set to zero (the DINet source input)."""
        self.check_crop(crops)
        out = crops.clone()
        ys, xs = self.mouth_slices()
        out[..., ys, xs] = 0
        return out

    def cut_mouth(self, crops: torch.Tensor) -> torch.Tensor:
        """The mouth region [..., M, M] of crops [..., H, W]."""
        self.check_crop(crops)
        ys, xs = self.mouth_slices()
        return crops[..., ys, xs]

    def mouth_mask(
        self, size: tuple[int, int] | None = None, device: torch.device | str = "cpu"
    ) -> torch.Tensor:
        """Mouth-box coverage [1, 1, h, w] in [0, 1] at crop size or at a feature-map size."""
        import torch
        import torch.nn.functional as F

        full = torch.zeros(1, 1, self.crop_height, self.crop_width, device=device)
        ys, xs = self.mouth_slices()
        full[..., ys, xs] = 1.0
        if size is None or tuple(size) == self.crop_size:
            return full
        return F.adaptive_avg_pool2d(full, size).clamp(0.0, 1.0)

    def mouth_prior(
        self, size: tuple[int, int], device: torch.device | str = "cpu", softness: float = 0.25
    ) -> torch.Tensor:
        """Soft mouth prior [1, 1, h, w]: 1 inside the box, Gaussian fall-off outside it.

        `softness` is the fall-off sigma as a fraction of the mouth size; used by the
        mouth-focused attention so it can still look slightly past the box edges.
        """
        import torch

        h, w = size
        ys = (torch.arange(h, device=device, dtype=torch.float32) + 0.5) * (self.crop_height / h)
        xs = (torch.arange(w, device=device, dtype=torch.float32) + 0.5) * (self.crop_width / w)
        top, left, mh, mw = self.mouth_box
        dy = (top - ys).clamp(min=0) + (ys - (top + mh)).clamp(min=0)
        dx = (left - xs).clamp(min=0) + (xs - (left + mw)).clamp(min=0)
        dist2 = dy[:, None] ** 2 + dx[None, :] ** 2
        sigma = max(softness * self.mouth_size, 1e-6)
        return torch.exp(-0.5 * dist2 / sigma**2)[None, None]

    def check_crop(self, images: torch.Tensor) -> None:
        if tuple(images.shape[-2:]) != self.crop_size:
            raise ValueError(
                f"expected face crops of {self.crop_height}x{self.crop_width} for mouth size "
                f"{self.mouth_size}, got {tuple(images.shape[-2:])}"
            )


def crop_geometry(mouth_size: int) -> CropGeometry:
    """Validated geometry for an allowed mouth size (64, 96, 128, 160, 256)."""
    if mouth_size not in ALLOWED_MOUTH_SIZES:
        raise BadInput(
            Text(
                "mouth size {mouth_size} is not supported; choose one of {allowed}",
                mouth_size=mouth_size,
                allowed=list(ALLOWED_MOUTH_SIZES),
            )
        )
    return CropGeometry(mouth_size)
