"""Photometric augmentation of face crops (blur, noise, brightness) from `AugmentationConfig`.

Only the RGB channels change; a 4th (shape-map) channel passes through untouched, so the
driving signal stays exact. Randomness comes from the `torch.Generator` passed in.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from core.lipsync.config import AugmentationConfig


def box_blur(images: torch.Tensor, kernel: int) -> torch.Tensor:
    """k x k mean filter of [N, C, H, W] with edge replication; even k allowed (like cv2.blur)."""
    if kernel <= 1:
        return images
    lo, hi = (kernel - 1) // 2, kernel // 2
    padded = F.pad(images, (lo, hi, lo, hi), mode="replicate")
    return F.avg_pool2d(padded, kernel, stride=1)


def augment(images: torch.Tensor, cfg: AugmentationConfig, generator: torch.Generator) -> torch.Tensor:
    """Augmented copy of crops [..., C, H, W] in [0, 1] (C = 3 or 4; channel 4 is kept)."""
    lead, (c, h, w) = images.shape[:-3], images.shape[-3:]
    flat = images.reshape(-1, c, h, w)
    rgb, rest = flat[:, :3], flat[:, 3:]
    n = flat.shape[0]

    def draw(count: int = n) -> torch.Tensor:
        return torch.rand(count, generator=generator).to(images.device)

    out = []
    for i in range(n):
        img = rgb[i : i + 1]
        if cfg.blur_kernel > 1 and draw(1).item() < cfg.probability:
            k = int(torch.randint(1, cfg.blur_kernel + 1, (1,), generator=generator).item())
            img = box_blur(img, k)
        if cfg.noise_sigma > 0 and draw(1).item() < cfg.probability:
            sigma = draw(1).item() * cfg.noise_sigma / 255.0
            noise = torch.randn(img.shape, generator=generator).to(img.device, img.dtype)
            img = img + sigma * noise
        if draw(1).item() < cfg.probability:
            lo, hi = cfg.brightness
            img = img * (lo + (hi - lo) * draw(1).item())
        out.append(img.clamp(0.0, 1.0))
    result = torch.cat([torch.cat(out, dim=0), rest], dim=1)
    return result.reshape(*lead, c, h, w)
