"""LPIPS (AlexNet variant, v0.1) defined in the project; computed only when both weight files exist.

LPIPS needs two files that cannot be downloaded at run time: the AlexNet trunk in torchvision's
layout (``alexnet-owt-7be5be79.pth``) and the learned linear heads of the ``lpips`` package
(``weights/v0.1/alex.pth``, keys ``lin{k}.model.1.weight``). :func:`core.weights.find_lpips`
looks for both and says where; without them callers report the metric as unavailable, it is
never approximated.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn

_CHANNELS = (64, 192, 384, 256, 256)
_SHIFT = (-0.030, -0.088, -0.188)
_SCALE = (0.458, 0.448, 0.450)


class LpipsAlex(nn.Module):
    """AlexNet trunk (torchvision ``features`` indices) + five 1x1 linear heads."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, 11, 4, 2),
            nn.ReLU(),
            nn.MaxPool2d(3, 2),
            nn.Conv2d(64, 192, 5, padding=2),
            nn.ReLU(),
            nn.MaxPool2d(3, 2),
            nn.Conv2d(192, 384, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(384, 256, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(256, 256, 3, padding=1),
            nn.ReLU(),
        )
        self.taps = (1, 4, 7, 9, 11)
        self.heads = nn.ModuleList(nn.Conv2d(c, 1, 1, bias=False) for c in _CHANNELS)
        self.register_buffer("shift", torch.tensor(_SHIFT).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("scale", torch.tensor(_SCALE).view(1, 3, 1, 1), persistent=False)
        self.requires_grad_(False)
        self.eval()

    def load(self, trunk: Mapping[str, Tensor], heads: Mapping[str, Tensor]) -> None:
        self.features.load_state_dict(
            {k[len("features.") :]: v for k, v in trunk.items() if k.startswith("features.")}, strict=True
        )
        for i, head in enumerate(self.heads):
            head.weight.data.copy_(heads[f"lin{i}.model.1.weight"])

    def forward(self, a: Tensor, b: Tensor) -> Tensor:
        """Distance per image [B] for RGB images [B, 3, H, W] in [0, 1]."""
        fa, fb = (
            self._taps((2 * a - 1 - self.shift) / self.scale),
            self._taps((2 * b - 1 - self.shift) / self.scale),
        )
        total = a.new_zeros(a.shape[0])
        for x, y, head in zip(fa, fb, self.heads, strict=True):
            x = x / (x.pow(2).sum(dim=1, keepdim=True).sqrt() + 1e-10)
            y = y / (y.pow(2).sum(dim=1, keepdim=True).sqrt() + 1e-10)
            total = total + head((x - y) ** 2).mean(dim=(1, 2, 3))
        return total

    def _taps(self, x: Tensor) -> list[Tensor]:
        out = []
        for i, layer in enumerate(self.features):
            x = layer(x)
            if i in self.taps:
                out.append(x)
        return out


def load_lpips(files: tuple[Path, Path], device: torch.device) -> LpipsAlex:
    """The network with weights from ``(trunk, heads)`` files (as ``LpipsSearch.files`` gives them)."""
    trunk = torch.load(files[0], map_location="cpu", weights_only=True)
    heads = torch.load(files[1], map_location="cpu", weights_only=True)
    net = LpipsAlex()
    net.load(trunk, heads)
    return net.to(device)


def lpips_distance(net: LpipsAlex, a: Tensor, b: Tensor) -> float:
    """LPIPS between two [H, W, 3] images in [0, 1] (images under 32 px are upsampled to 64)."""
    x, y = a.permute(2, 0, 1)[None], b.permute(2, 0, 1)[None]
    if min(x.shape[-2:]) < 32:
        x = F.interpolate(x, size=(64, 64), mode="bilinear", align_corners=False)
        y = F.interpolate(y, size=(64, 64), mode="bilinear", align_corners=False)
    with torch.no_grad():
        return float(net(x.float(), y.float())[0])
